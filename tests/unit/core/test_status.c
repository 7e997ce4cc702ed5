#include <criterion/criterion.h>
#include <string.h>
#include "core/status.h"

Test(status, notfound_message_and_code)
{
	json_t *st = NULL;

	cr_assert_eq(kube__fail_notfound(&st, "", "pods", "x"), KUBE_ENOTFOUND);
	cr_assert_str_eq(json_string_value(json_object_get(st, "message")), "pods \"x\" not found");
	cr_assert_str_eq(json_string_value(json_object_get(st, "reason")), "NotFound");
	cr_assert_eq(json_integer_value(json_object_get(st, "code")), 404);
	json_decref(st);
}

Test(status, exists_qualifies_group)
{
	json_t *st = NULL;

	kube__fail_exists(&st, "apps", "deployments", "web");
	cr_assert_str_eq(json_string_value(json_object_get(st, "message")),
			 "deployments.apps \"web\" already exists");
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(st, "details"), "group")), "apps");
	json_decref(st);
}

Test(status, invalid_lists_every_cause)
{
	json_t *st = NULL, *causes = json_array(), *v = json_integer(0);

	kube__cause_required(causes, "metadata.name");
	kube__cause_invalid(causes, "spec.ports[0].port", v,
			    "must be between 1 and 65535, inclusive");
	cr_assert_eq(kube__fail_invalid(&st, "", "Service", "s", causes), KUBE_EINVALID);
	cr_assert_str_eq(json_string_value(json_object_get(st, "message")),
			 "Service \"s\" is invalid: [metadata.name: Required value, "
			 "spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive]");
	cr_assert_eq(json_integer_value(json_object_get(st, "code")), 422);
	cr_assert_eq(json_array_size(json_object_get(json_object_get(st, "details"), "causes")), 2);
	json_decref(v);
	json_decref(st);
}

Test(status, strerror_and_last_status)
{
	cr_assert_str_eq(kube_strerror(KUBE_ECONFLICT), "conflict");
	cr_assert_str_eq(kube_strerror(12345), "unknown error");
	kube__set_last_status(kube__status_new(KUBE_EGONE, "too old resource version: 1 (5)", NULL));
	cr_assert(strstr(kube_last_status(), "\"Expired\""));
	kube__set_last_status(NULL);
	cr_assert_null(kube_last_status());
}

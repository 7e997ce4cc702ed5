#include <criterion/criterion.h>
#include <string.h>
#include "core/validate.h"

#define SUBDOMAIN_MSG "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric " \
	"characters, '-' or '.', and must start and end with an alphanumeric character (e.g. " \
	"'example.com', regex used for validation is " \
	"'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
#define LABEL_MSG "a lowercase RFC 1123 label must consist of lower case alphanumeric " \
	"characters or '-', and must start and end with an alphanumeric character (e.g. " \
	"'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
#define QNAME_TAIL "must consist of alphanumeric characters, '-', '_' or '.', and must start " \
	"and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', " \
	"regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
#define VALUE_MSG "a valid label must be an empty string or consist of alphanumeric " \
	"characters, '-', '_' or '.', and must start and end with an alphanumeric character " \
	"(e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is " \
	"'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"

static const struct kube_kind pod = { .group = "", .version = "v1", .kind = "Pod",
				      .namespaced = true, .schema = "io.k8s.api.core.v1.Pod" };
static const struct kube_kind ns_kind = { .group = "", .version = "v1", .kind = "Namespace",
					  .schema = "io.k8s.api.core.v1.Namespace" };
static const struct kube_kind svc = { .group = "", .version = "v1", .kind = "Service",
				      .namespaced = true, .schema = "io.k8s.api.core.v1.Service" };
static const struct kube_kind role = { .group = "rbac.authorization.k8s.io", .version = "v1",
				       .kind = "Role", .namespaced = true,
				       .schema = "io.k8s.api.rbac.v1.Role" };
static const struct kube_kind cronjob = { .group = "batch", .version = "v1", .kind = "CronJob",
					  .namespaced = true, .schema = "io.k8s.api.batch.v1.CronJob" };
static const struct kube_kind node = { .group = "", .version = "v1", .kind = "Node",
				       .schema = "io.k8s.api.core.v1.Node" };

/* The causes kube__validate_meta finds for metadata @p md (JSON text). */
static json_t *causes_of(const struct kube_kind *k, const char *md, const char *old_md)
{
	json_t *obj = json_pack("{s:o}", "metadata", json_loads(md, 0, NULL));
	json_t *old = old_md ? json_pack("{s:o}", "metadata", json_loads(old_md, 0, NULL)) : NULL;
	json_t *causes = json_array();

	cr_assert_not_null(json_object_get(obj, "metadata"), "%s", md);
	kube__validate_meta(k, obj, old, causes);
	json_decref(obj);
	json_decref(old);
	return causes;
}

static void expect_cause(const json_t *causes, size_t i, const char *reason, const char *field,
			 const char *message)
{
	const json_t *c = json_array_get(causes, i);

	cr_assert_not_null(c, "no cause %zu", i);
	cr_assert_str_eq(json_string_value(json_object_get(c, "reason")), reason);
	cr_assert_str_eq(json_string_value(json_object_get(c, "field")), field);
	cr_assert_str_eq(json_string_value(json_object_get(c, "message")), message);
}

/* Exactly one cause, as given. */
static void expect_one(const struct kube_kind *k, const char *md, const char *old_md,
		       const char *reason, const char *field, const char *message)
{
	json_t *causes = causes_of(k, md, old_md);

	cr_assert_eq(json_array_size(causes), 1, "%s: %zu causes, first %s", md,
		     json_array_size(causes),
		     json_string_value(json_object_get(json_array_get(causes, 0), "message")));
	expect_cause(causes, 0, reason, field, message);
	json_decref(causes);
}

static void expect_none(const struct kube_kind *k, const char *md, const char *old_md)
{
	json_t *causes = causes_of(k, md, old_md);

	cr_assert_eq(json_array_size(causes), 0, "%s: %s", md,
		     json_string_value(json_object_get(json_array_get(causes, 0), "message")));
	json_decref(causes);
}

Test(validate_meta, name_checks)
{
	cr_assert_null(kube__check_dns1123_subdomain("example.com"));
	cr_assert_str_eq(kube__check_dns1123_subdomain("Web_1"), SUBDOMAIN_MSG);
	cr_assert_str_eq(kube__check_dns1123_subdomain("a..b"), SUBDOMAIN_MSG);
	cr_assert_str_eq(kube__check_dns1123_subdomain(""), SUBDOMAIN_MSG);
	cr_assert_null(kube__check_dns1123_label("123-abc"));
	cr_assert_str_eq(kube__check_dns1123_label("a.b"), "must not contain dots");
	cr_assert_str_eq(kube__check_dns1123_label("-a"), LABEL_MSG);
	cr_assert_str_eq(kube__check_dns1123_label("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
			 "must be no more than 63 characters");
	cr_assert_null(kube__check_qualified_name("example.com/My_Name.1"));
	cr_assert_str_eq(kube__check_qualified_name("a/b/c"),
			 "a qualified name " QNAME_TAIL " with an optional DNS subdomain prefix "
			 "and '/' (e.g. 'example.com/MyName')");
	cr_assert_str_eq(kube__check_qualified_name("/x"), "prefix part must be non-empty");
	cr_assert_str_eq(kube__check_qualified_name("Example.com/x"), "prefix part " SUBDOMAIN_MSG);
	cr_assert_str_eq(kube__check_qualified_name("x/"), "name part must be non-empty");
	cr_assert_str_eq(kube__check_qualified_name("-x"), "name part " QNAME_TAIL);
	cr_assert_null(kube__check_label_value(""));
	cr_assert_null(kube__check_label_value("my_value.1"));
	cr_assert_str_eq(kube__check_label_value("a b"), VALUE_MSG);
}

Test(validate_meta, name_required_unless_generate_name)
{
	expect_one(&pod, "{\"namespace\":\"default\"}", NULL, "FieldValueRequired", "metadata.name",
		   "Required value: name or generateName is required");
	expect_none(&pod, "{\"namespace\":\"default\",\"generateName\":\"web-\"}", NULL);
	expect_one(&pod, "{\"namespace\":\"default\",\"generateName\":\"Web-\"}", NULL,
		   "FieldValueInvalid", "metadata.generateName",
		   "Invalid value: \"Web-\": " SUBDOMAIN_MSG);
}

Test(validate_meta, names_follow_the_kind)
{
	expect_one(&pod, "{\"name\":\"Web_1\",\"namespace\":\"default\"}", NULL, "FieldValueInvalid",
		   "metadata.name", "Invalid value: \"Web_1\": " SUBDOMAIN_MSG);
	expect_none(&pod, "{\"name\":\"web.1\",\"namespace\":\"default\"}", NULL);
	expect_none(&node, "{\"name\":\"node-1.example.com\"}", NULL);
	expect_one(&ns_kind, "{\"name\":\"team.a\"}", NULL, "FieldValueInvalid", "metadata.name",
		   "Invalid value: \"team.a\": must not contain dots");
	expect_none(&ns_kind, "{\"name\":\"1team\"}", NULL);
	expect_one(&svc, "{\"name\":\"1web\",\"namespace\":\"default\"}", NULL, "FieldValueInvalid",
		   "metadata.name", "Invalid value: \"1web\": a DNS-1035 label must consist of "
		   "lower case alphanumeric characters or '-', start with an alphabetic character, "
		   "and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex "
		   "used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')");
	expect_none(&role, "{\"name\":\"system:Controller_x\",\"namespace\":\"default\"}", NULL);
	expect_one(&role, "{\"name\":\"..\",\"namespace\":\"default\"}", NULL, "FieldValueInvalid",
		   "metadata.name", "Invalid value: \"..\": may not be '..'");
	expect_one(&role, "{\"name\":\"a/b\",\"namespace\":\"default\"}", NULL, "FieldValueInvalid",
		   "metadata.name", "Invalid value: \"a/b\": may not contain '/'");
	expect_one(&cronjob, "{\"name\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\","
		   "\"namespace\":\"default\"}", NULL, "FieldValueInvalid", "metadata.name",
		   "Invalid value: \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\": must be no "
		   "more than 52 characters");
}

Test(validate_meta, long_names_give_both_messages)
{
	char md[400], name[300];
	json_t *causes;

	memset(name, 'A', 260);
	name[260] = '\0';
	snprintf(md, sizeof(md), "{\"name\":\"%s\",\"namespace\":\"default\"}", name);
	causes = causes_of(&pod, md, NULL);
	cr_assert_eq(json_array_size(causes), 2);
	cr_assert(strstr(json_string_value(json_object_get(json_array_get(causes, 0), "message")),
			 ": must be no more than 253 characters"));
	cr_assert(strstr(json_string_value(json_object_get(json_array_get(causes, 1), "message")),
			 SUBDOMAIN_MSG));
	json_decref(causes);
}

Test(validate_meta, namespace_required_forbidden_or_a_label)
{
	expect_one(&pod, "{\"name\":\"a\"}", NULL, "FieldValueRequired", "metadata.namespace",
		   "Required value");
	expect_one(&node, "{\"name\":\"a\",\"namespace\":\"default\"}", NULL, "FieldValueForbidden",
		   "metadata.namespace", "Forbidden: not allowed on this type");
	expect_one(&pod, "{\"name\":\"a\",\"namespace\":\"Team\"}", NULL, "FieldValueInvalid",
		   "metadata.namespace", "Invalid value: \"Team\": " LABEL_MSG);
}

Test(validate_meta, labels)
{
	expect_none(&pod, "{\"name\":\"a\",\"namespace\":\"d\",\"labels\":{\"app.kubernetes.io/name\":"
		    "\"web\",\"x\":\"\"}}", NULL);
	expect_one(&pod, "{\"name\":\"a\",\"namespace\":\"d\",\"labels\":{\"a\":\"b c\"}}", NULL,
		   "FieldValueInvalid", "metadata.labels", "Invalid value: \"b c\": " VALUE_MSG);
	expect_one(&pod, "{\"name\":\"a\",\"namespace\":\"d\",\"labels\":{\"a/b/c\":\"x\"}}", NULL,
		   "FieldValueInvalid", "metadata.labels",
		   "Invalid value: \"a/b/c\": a qualified name " QNAME_TAIL " with an optional DNS "
		   "subdomain prefix and '/' (e.g. 'example.com/MyName')");
	expect_one(&pod, "{\"name\":\"a\",\"namespace\":\"d\",\"labels\":{\"a\":"
		   "\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}}", NULL,
		   "FieldValueInvalid", "metadata.labels",
		   "Invalid value: \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\": "
		   "must be no more than 63 characters");
}

Test(validate_meta, annotations)
{
	json_t *big, *obj, *causes = json_array();
	char *value;

	/* keys are checked lower-cased, so capitals in the prefix pass */
	expect_none(&pod, "{\"name\":\"a\",\"namespace\":\"d\",\"annotations\":"
		    "{\"Example.COM/Note\":\"anything at all\"}}", NULL);
	expect_one(&pod, "{\"name\":\"a\",\"namespace\":\"d\",\"annotations\":{\"bad key\":\"v\"}}",
		   NULL, "FieldValueInvalid", "metadata.annotations",
		   "Invalid value: \"bad key\": name part " QNAME_TAIL);
	value = malloc(262144);
	memset(value, 'v', 262143);
	value[262143] = '\0';
	big = json_pack("{s:s, s:s}", "a", value, "b", "xx");
	obj = json_pack("{s:{s:s, s:s, s:o}}", "metadata", "name", "a", "namespace", "d",
			"annotations", big);
	kube__validate_meta(&pod, obj, NULL, causes);
	cr_assert_eq(json_array_size(causes), 1);
	expect_cause(causes, 0, "FieldValueTooLong", "metadata.annotations",
		     "Too long: must have at most 262144 bytes");
	json_object_del(json_object_get(json_object_get(obj, "metadata"), "annotations"), "b");
	json_array_clear(causes);
	kube__validate_meta(&pod, obj, NULL, causes);
	cr_assert_eq(json_array_size(causes), 0);
	free(value);
	json_decref(obj);
	json_decref(causes);
}

Test(validate_meta, owner_references)
{
	expect_none(&pod, "{\"name\":\"a\",\"namespace\":\"d\",\"ownerReferences\":[{\"apiVersion\":"
		    "\"apps/v1\",\"kind\":\"ReplicaSet\",\"name\":\"rs\",\"uid\":\"u1\","
		    "\"controller\":true}]}", NULL);
	json_t *causes = causes_of(&pod, "{\"name\":\"a\",\"namespace\":\"d\",\"ownerReferences\":"
				   "[{\"apiVersion\":\"apps/\",\"controller\":true,\"kind\":\"R\","
				   "\"name\":\"x\",\"uid\":\"1\"},{\"kind\":\"R\",\"name\":\"y\","
				   "\"controller\":true}]}", NULL);

	cr_assert_eq(json_array_size(causes), 4);
	expect_cause(causes, 0, "FieldValueInvalid", "metadata.ownerReferences.apiVersion",
		     "Invalid value: \"apps/\": version must not be empty");
	expect_cause(causes, 1, "FieldValueInvalid", "metadata.ownerReferences.apiVersion",
		     "Invalid value: \"\": version must not be empty");
	expect_cause(causes, 2, "FieldValueInvalid", "metadata.ownerReferences.uid",
		     "Invalid value: \"\": must not be empty");
	cr_assert(strstr(json_string_value(json_object_get(json_array_get(causes, 3), "message")),
			 ": Only one reference can have Controller set to true. Found \"true\" in "
			 "references for R/x and R/y"));
	json_decref(causes);
}

Test(validate_meta, finalizers)
{
	expect_none(&pod, "{\"name\":\"a\",\"namespace\":\"d\",\"finalizers\":[\"kubernetes.io/pvc-protection\","
		    "\"orphan\"]}", NULL);
	expect_one(&pod, "{\"name\":\"a\",\"namespace\":\"d\",\"finalizers\":[\"bad finalizer\"]}", NULL,
		   "FieldValueInvalid", "metadata.finalizers",
		   "Invalid value: \"bad finalizer\": name part " QNAME_TAIL);
	expect_one(&pod, "{\"name\":\"a\",\"namespace\":\"d\",\"finalizers\":[\"orphan\","
		   "\"foregroundDeletion\"]}", NULL, "FieldValueInvalid", "metadata.finalizers",
		   "Invalid value: []string{\"orphan\", \"foregroundDeletion\"}: finalizer orphan "
		   "and foregroundDeletion cannot be both set");
}

Test(validate_meta, generation_not_negative)
{
	expect_one(&pod, "{\"name\":\"a\",\"namespace\":\"d\",\"generation\":-1}", NULL,
		   "FieldValueInvalid", "metadata.generation",
		   "Invalid value: -1: must be greater than or equal to 0");
}

#define OLD "{\"name\":\"a\",\"namespace\":\"d\",\"uid\":\"u1\",\"generation\":2," \
	"\"creationTimestamp\":\"2024-01-02T03:04:05Z\"}"

Test(validate_meta, update_keeps_identity)
{
	expect_none(&pod, OLD, OLD);
	expect_one(&pod, "{\"name\":\"b\",\"namespace\":\"d\",\"uid\":\"u1\",\"generation\":2,"
		   "\"creationTimestamp\":\"2024-01-02T03:04:05Z\"}", OLD, "FieldValueInvalid",
		   "metadata.name", "Invalid value: \"b\": field is immutable");
	expect_one(&pod, "{\"name\":\"a\",\"namespace\":\"e\",\"uid\":\"u1\",\"generation\":2,"
		   "\"creationTimestamp\":\"2024-01-02T03:04:05Z\"}", OLD, "FieldValueInvalid",
		   "metadata.namespace", "Invalid value: \"e\": field is immutable");
	expect_one(&pod, "{\"name\":\"a\",\"namespace\":\"d\",\"generation\":2,"
		   "\"creationTimestamp\":\"2024-01-02T03:04:05Z\"}", OLD, "FieldValueInvalid",
		   "metadata.uid", "Invalid value: \"\": field is immutable");
	/* the same instant written with an offset is equal, as Semantic.DeepEqual has it */
	expect_none(&pod, "{\"name\":\"a\",\"namespace\":\"d\",\"uid\":\"u1\",\"generation\":2,"
		    "\"creationTimestamp\":\"2024-01-02T05:04:05+02:00\"}", OLD);
	expect_one(&pod, "{\"name\":\"a\",\"namespace\":\"d\",\"uid\":\"u1\",\"generation\":2,"
		   "\"creationTimestamp\":\"2024-01-02T06:04:05+02:00\"}", OLD, "FieldValueInvalid",
		   "metadata.creationTimestamp",
		   "Invalid value: 2024-01-02 04:04:05 +0000 UTC: field is immutable");
	expect_one(&pod, "{\"name\":\"a\",\"namespace\":\"d\",\"uid\":\"u1\",\"generation\":1,"
		   "\"creationTimestamp\":\"2024-01-02T03:04:05Z\"}", OLD, "FieldValueInvalid",
		   "metadata.generation", "Invalid value: 1: must not be decremented");
}

Test(validate_meta, no_new_finalizers_while_deleting)
{
	const char *old = "{\"name\":\"a\",\"namespace\":\"d\",\"deletionTimestamp\":"
			  "\"2024-01-02T03:04:05Z\",\"finalizers\":[\"a.io/x\"]}";

	expect_none(&pod, "{\"name\":\"a\",\"namespace\":\"d\",\"deletionTimestamp\":"
		    "\"2024-01-02T03:04:05Z\"}", old);
	expect_one(&pod, "{\"name\":\"a\",\"namespace\":\"d\",\"deletionTimestamp\":"
		   "\"2024-01-02T03:04:05Z\",\"finalizers\":[\"a.io/x\",\"c.io/z\",\"b.io/y\"]}", old,
		   "FieldValueForbidden", "metadata.finalizers",
		   "Forbidden: no new finalizers can be added if the object is being deleted, found "
		   "new finalizers []string{\"b.io/y\", \"c.io/z\"}");
	expect_one(&pod, "{\"name\":\"a\",\"namespace\":\"d\",\"finalizers\":[\"a.io/x\"]}", old,
		   "FieldValueInvalid", "metadata.deletionTimestamp",
		   "Invalid value: null: field is immutable");
}

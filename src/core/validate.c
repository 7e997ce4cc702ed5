/*
 * The API server's validation of an incoming object: decoding errors and
 * strict field validation first (400 BadRequest, as the decoder reports
 * them before validation runs), then metadata and the kind's own rules
 * (422 Invalid with every cause).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/schema.h"
#include "core/status.h"
#include "core/validate.h"

/* `<Kind> in version "<v>" cannot be handled as a <Kind>: <err>` */
static int fail_decode(json_t **st, const struct kube_kind *k, const char *err)
{
	return kube__fail(st, KUBE_EINVAL, NULL, NULL, NULL,
			  "%s in version \"%s\" cannot be handled as a %s: %s", k->kind,
			  k->version, k->kind, err);
}

/* `strict decoding error: unknown field "a", unknown field "b"` */
static int fail_strict(json_t **st, const struct kube_kind *k, const json_t *unknown)
{
	char *list = NULL;
	size_t len = 0, i;
	const json_t *u;
	FILE *f = open_memstream(&list, &len);
	int rc;

	if (!f)
		return fail_decode(st, k, "strict decoding error");
	fputs("strict decoding error: ", f);
	json_array_foreach(unknown, i, u)
		fprintf(f, "%sunknown field \"%s\"", i ? ", " : "", json_string_value(u));
	fclose(f);
	rc = fail_decode(st, k, list);
	free(list);
	return rc;
}

static void warn_unknown(json_t *warnings, const json_t *unknown)
{
	const json_t *u;
	size_t i;
	char *w = NULL;

	json_array_foreach(unknown, i, u) {
		if (asprintf(&w, "unknown field \"%s\"", json_string_value(u)) < 0)
			return;
		json_array_append_new(warnings, json_string(w));
		free(w);
	}
}

/* The decoder's verdict: type errors always fail (only the first is
 * reported, as Go's decoder keeps the first), unknown fields per @p fv. */
static int decode_check(const struct kube_kind *k, json_t *obj, enum kube_field_validation fv,
			json_t *warnings, json_t **st)
{
	const struct kube_schema *s = kube__schema_find(k->schema);
	json_t *unknown = json_array(), *types = json_array();
	int rc = 0;

	if (!unknown || !types) {
		rc = kube__fail(st, KUBE_ENOMEM, NULL, NULL, NULL, "out of memory");
		goto free_arrays;
	}
	kube__schema_check(s, obj, unknown, types);
	if (json_array_size(types)) {
		rc = fail_decode(st, k, json_string_value(json_object_get(json_array_get(types, 0),
									    "message")));
		goto free_arrays;
	}
	if (!json_array_size(unknown))
		goto free_arrays;
	if (fv == KUBE_FIELD_STRICT) {
		rc = fail_strict(st, k, unknown);
		goto free_arrays;
	}
	if (fv == KUBE_FIELD_WARN && warnings)
		warn_unknown(warnings, unknown);
	kube__schema_prune(s, obj);
free_arrays:
	json_decref(types);
	json_decref(unknown);
	return rc;
}

int kube__validate_object(const struct kube_kind *k, json_t *obj, const json_t *old,
			  enum kube_field_validation fv, json_t *warnings, json_t **st)
{
	json_t *causes;
	int rc;

	if (!k || !json_is_object(obj))
		return kube__fail(st, KUBE_EINVAL, NULL, NULL, NULL, "the object is not a JSON object");
	rc = decode_check(k, obj, fv, warnings, st);
	if (rc)
		return rc;
	causes = json_array();
	if (!causes)
		return kube__fail(st, KUBE_ENOMEM, NULL, NULL, NULL, "out of memory");
	kube__validate_meta(k, obj, old, causes);
	if (k->validate)
		k->validate(obj, old, causes);
	if (!json_array_size(causes)) {
		json_decref(causes);
		return 0;
	}
	return kube__fail_invalid(st, k->group, k->kind,
				  json_string_value(json_object_get(json_object_get(obj, "metadata"),
								    "name")),
				  causes);
}

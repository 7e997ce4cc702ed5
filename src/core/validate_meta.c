/*
 * ObjectMeta validation, as k8s.io/apimachinery/pkg/api/validation
 * (objectmeta.go) and the per-kind name functions of pkg/apis/.../validation
 * apply it, with upstream's field paths and messages.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/status.h"
#include "core/validate.h"
#include "core/validate_names.h"

#define ANNOTATIONS_MAX (256 * 1024) /* TotalAnnotationSizeLimitB */

enum name_rule {
	NAME_SUBDOMAIN = 0, /* NameIsDNSSubdomain: most kinds */
	NAME_LABEL,         /* NameIsDNSLabel: Namespace */
	NAME_DNS1035,       /* NameIsDNS1035Label: Service */
	NAME_PATH_SEGMENT,  /* ValidatePathSegmentName: RBAC */
};

/* Kinds whose names are not DNS subdomains (validation's own table: the
 * rule is part of each kind's upstream validation function). */
static const struct {
	const char *group, *kind;
	enum name_rule rule;
	int max;            /* an extra length limit, 0 for none */
} name_rules[] = {
	{ "", "Namespace", NAME_LABEL, 0 },
	{ "", "Service", NAME_DNS1035, 0 },
	{ "rbac.authorization.k8s.io", "Role", NAME_PATH_SEGMENT, 0 },
	{ "rbac.authorization.k8s.io", "ClusterRole", NAME_PATH_SEGMENT, 0 },
	{ "rbac.authorization.k8s.io", "RoleBinding", NAME_PATH_SEGMENT, 0 },
	{ "rbac.authorization.k8s.io", "ClusterRoleBinding", NAME_PATH_SEGMENT, 0 },
	/* ValidateCronJobCreate: room for the 11-character job suffix */
	{ "batch", "CronJob", NAME_SUBDOMAIN, 52 },
};

static int rule_of(const struct kube_kind *k, int *max)
{
	*max = 0;
	for (size_t i = 0; i < sizeof(name_rules) / sizeof(name_rules[0]); i++) {
		if (strcmp(name_rules[i].group, k->group ? k->group : "") == 0 &&
		    strcmp(name_rules[i].kind, k->kind) == 0) {
			*max = name_rules[i].max;
			return name_rules[i].rule;
		}
	}
	return NAME_SUBDOMAIN;
}

static const char *str_of(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* Run @p rule on @p s; a prefix (generateName) has a trailing '-' masked. */
static int name_errors(int rule, const char *s, bool prefix, struct kube_name_errs *e)
{
	char *masked = NULL;
	size_t n = strlen(s);

	e->n = 0;
	if (rule == NAME_PATH_SEGMENT)
		return kube__names_path_segment(s, prefix, e);
	if (prefix && n > 1 && s[n - 1] == '-') {
		masked = strdup(s);
		if (masked)
			masked[n - 1] = 'a';
	}
	if (rule == NAME_LABEL)
		kube__names_dns1123_label(masked ? masked : s, e);
	else if (rule == NAME_DNS1035)
		kube__names_dns1035_label(masked ? masked : s, e);
	else
		kube__names_dns1123_subdomain(masked ? masked : s, e);
	free(masked);
	return e->n;
}

/* One FieldValueInvalid cause per message, with a string value. */
static void invalid_all(json_t *causes, const char *field, const char *value,
			const struct kube_name_errs *e)
{
	json_t *v = json_string(value);

	for (int i = 0; i < e->n; i++)
		kube__cause_invalid(causes, field, v, e->msg[i]);
	json_decref(v);
}

static void check_name(const struct kube_kind *k, const json_t *md, json_t *causes)
{
	const char *name = str_of(md, "name"), *gen = str_of(md, "generateName");
	struct kube_name_errs e;
	int max, rule = rule_of(k, &max);

	if (*gen && name_errors(rule, gen, true, &e))
		invalid_all(causes, "metadata.generateName", gen, &e);
	if (!*name) {
		if (!*gen)
			kube__cause_add(causes, "FieldValueRequired", "metadata.name",
					"Required value: name or generateName is required");
		return;
	}
	if (name_errors(rule, name, false, &e))
		invalid_all(causes, "metadata.name", name, &e);
	if (max && strlen(name) > (size_t)max) {
		char detail[64];

		snprintf(detail, sizeof(detail), "must be no more than %d characters", max);
		e.n = 1;
		e.msg[0] = detail;
		invalid_all(causes, "metadata.name", name, &e);
	}
}

static void check_namespace(const struct kube_kind *k, const json_t *md, json_t *causes)
{
	const char *ns = str_of(md, "namespace");
	struct kube_name_errs e = { 0 };

	if (!k->namespaced) {
		if (*ns)
			kube__cause_add(causes, "FieldValueForbidden", "metadata.namespace",
					"Forbidden: not allowed on this type");
		return;
	}
	if (!*ns)
		kube__cause_required(causes, "metadata.namespace");
	else if (kube__names_dns1123_label(ns, &e))
		invalid_all(causes, "metadata.namespace", ns, &e);
}

static void check_labels(const json_t *md, json_t *causes)
{
	const char *key;
	json_t *v;

	json_object_foreach(json_object_get(md, "labels"), key, v) {
		const char *val = json_string_value(v) ? json_string_value(v) : "";
		struct kube_name_errs e = { 0 };

		if (kube__names_qualified(key, &e))
			invalid_all(causes, "metadata.labels", key, &e);
		e.n = 0;
		if (kube__names_label_value(val, &e))
			invalid_all(causes, "metadata.labels", val, &e);
	}
}

/* Keys are qualified names compared case-insensitively; keys plus values
 * must fit in 256 KiB. */
static void check_annotations(const json_t *md, json_t *causes)
{
	const char *key;
	json_t *v;
	size_t total = 0;

	json_object_foreach(json_object_get(md, "annotations"), key, v) {
		struct kube_name_errs e = { 0 };
		char *lower = strdup(key);

		for (char *c = lower; c && *c; c++)
			*c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
		if (lower && kube__names_qualified(lower, &e))
			invalid_all(causes, "metadata.annotations", key, &e);
		free(lower);
		total += strlen(key) + json_string_length(v);
	}
	if (total > ANNOTATIONS_MAX)
		kube__cause_add(causes, "FieldValueTooLong", "metadata.annotations",
				"Too long: must have at most 262144 bytes");
}

static void must_not_be_empty(json_t *causes, const json_t *ref, const char *key,
			      const char *detail)
{
	char field[64];
	json_t *v;

	if (*str_of(ref, key))
		return;
	snprintf(field, sizeof(field), "metadata.ownerReferences.%s", key);
	v = json_string("");
	kube__cause_invalid(causes, field, v, detail);
	json_decref(v);
}

/* The version part of an apiVersion, as schema.FromAPIVersionAndKind splits it. */
static bool has_version(const char *api_version)
{
	const char *slash = strchr(api_version, '/');

	if (!slash)
		return *api_version != '\0';
	return slash[1] && !strchr(slash + 1, '/');
}

static void check_owner_refs(const json_t *md, json_t *causes)
{
	const json_t *refs = json_object_get(md, "ownerReferences"), *ref;
	char first[512] = "", *msg = NULL;
	size_t i;

	json_array_foreach(refs, i, ref) {
		json_t *av = json_string(str_of(ref, "apiVersion"));

		if (!has_version(str_of(ref, "apiVersion")))
			kube__cause_invalid(causes, "metadata.ownerReferences.apiVersion", av,
					    "version must not be empty");
		json_decref(av);
		must_not_be_empty(causes, ref, "kind", "must not be empty");
		must_not_be_empty(causes, ref, "name", "must not be empty");
		must_not_be_empty(causes, ref, "uid", "must not be empty");
		if (!json_is_true(json_object_get(ref, "controller")))
			continue;
		if (!*first) {
			snprintf(first, sizeof(first), "%s/%s", str_of(ref, "kind"), str_of(ref, "name"));
			continue;
		}
		if (asprintf(&msg, "Only one reference can have Controller set to true. Found "
			     "\"true\" in references for %s and %s/%s", first, str_of(ref, "kind"),
			     str_of(ref, "name")) >= 0) {
			kube__cause_invalid(causes, "metadata.ownerReferences", refs, msg);
			free(msg);
		}
	}
}

/* Go's %#v of a []string: []string{"a", "b"}. */
static char *go_strings(const json_t *list)
{
	char *out = NULL;
	size_t len = 0, i;
	const json_t *s;
	FILE *f = open_memstream(&out, &len);

	if (!f)
		return NULL;
	fputs("[]string{", f);
	json_array_foreach(list, i, s)
		fprintf(f, "%s\"%s\"", i ? ", " : "", json_string_value(s) ? json_string_value(s) : "");
	fputs("}", f);
	fclose(f);
	return out;
}

static void check_finalizers(const json_t *md, json_t *causes)
{
	const json_t *fins = json_object_get(md, "finalizers"), *f;
	bool orphan = false, foreground = false;
	size_t i;

	json_array_foreach(fins, i, f) {
		const char *name = json_string_value(f) ? json_string_value(f) : "";
		struct kube_name_errs e = { 0 };

		if (kube__names_qualified(name, &e))
			invalid_all(causes, "metadata.finalizers", name, &e);
		orphan |= strcmp(name, "orphan") == 0;
		foreground |= strcmp(name, "foregroundDeletion") == 0;
	}
	if (orphan && foreground) {
		char *v = go_strings(fins), *msg = NULL;

		if (asprintf(&msg, "Invalid value: %s: finalizer orphan and foregroundDeletion "
			     "cannot be both set", v ? v : "[]string{}") >= 0)
			kube__cause_add(causes, "FieldValueInvalid", "metadata.finalizers", msg);
		free(msg);
		free(v);
	}
}

static void check_generation(const json_t *md, json_t *causes)
{
	const json_t *g = json_object_get(md, "generation");

	if (json_is_integer(g) && json_integer_value(g) < 0)
		kube__cause_invalid(causes, "metadata.generation", g,
				    "must be greater than or equal to 0");
}

void kube__validate_meta(const struct kube_kind *k, const json_t *obj, const json_t *old,
			 json_t *causes)
{
	const json_t *md = json_object_get(obj, "metadata");

	check_name(k, md, causes);
	check_namespace(k, md, causes);
	check_generation(md, causes);
	check_labels(md, causes);
	check_annotations(md, causes);
	check_owner_refs(md, causes);
	check_finalizers(md, causes);
	if (old)
		kube__validate_meta_update(json_object_get(obj, "metadata"),
					   json_object_get(old, "metadata"), causes);
}

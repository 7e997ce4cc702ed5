/*
 * Shared helpers for the kind-specific defaulting and validation functions in
 * src/core/kinds/: field paths, the upstream field.Error forms, the name and
 * value formats of k8s.io/apimachinery/pkg/util/validation, label selectors,
 * and the pod spec / pod template rules shared by Pod and every workload.
 *
 * Every check appends causes (status.h) and never stops early, so one request
 * reports all its errors as the API server does.
 */
#ifndef KUBE_CORE_KINDS_KINDS_H
#define KUBE_CORE_KINDS_KINDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "core/jsonutil.h"
#include "core/registry.h"

/* Longest field path we build; deeper paths are truncated (never overflow). */
#define KUBE_PATH_MAX 512

/* ---- field paths ------------------------------------------------------- */

/* "base.name" (or "name" when base is ""), into out (KUBE_PATH_MAX bytes). */
const char *kube__path_child(char *out, const char *base, const char *name);
/* "base[i]". */
const char *kube__path_index(char *out, const char *base, size_t i);
/* "base[key]", as field.Path.Key renders map keys. */
const char *kube__path_key(char *out, const char *base, const char *key);

/* ---- JSON access ------------------------------------------------------- */

/* The string at obj[key], or "" when absent or not a string. */
const char *kinds_str(const json_t *obj, const char *key);
/* obj[key] when it is an object / array, else NULL. */
json_t *kube__jobj(const json_t *obj, const char *key);
json_t *kube__jarr(const json_t *obj, const char *key);
/* kube__jget (core/jsonutil.h) writable, with a JSON null read as absent. */
json_t *kube__jpath(const json_t *obj, const char *dotted);
/* obj[key] as an object, created (and set on obj) when absent or null. */
json_t *kube__jensure_obj(json_t *obj, const char *key);
/* Set obj[key] only when it is absent or null; the value is stolen either way. */
void kube__jdefault(json_t *obj, const char *key, json_t *value);
/* Set obj[key] to a string when it is absent, null or "". */
void kube__jdefault_str(json_t *obj, const char *key, const char *value);
/* True when obj[key] is a non-empty array / object. */
bool kube__jnonempty(const json_t *obj, const char *key);

/* ---- causes (upstream field.Error forms) ------------------------------- */

/* "Required value: <detail>" (plain "Required value" when detail is NULL/""). */
void kube__err_required(json_t *causes, const char *path, const char *detail);
/* "Invalid value: \"<s>\": <detail>" for a string value. */
void kube__err_invalid_str(json_t *causes, const char *path, const char *s, const char *detail);
/* "Invalid value: <n>: <detail>" for an integer value. */
void kube__err_invalid_int(json_t *causes, const char *path, int64_t n, const char *detail);
/* "Invalid value: <raw>: <detail>" with the value text given verbatim
 * (Go's %#v of a struct or map, an IntOrString, a Quantity). */
void kube__err_invalid_raw(json_t *causes, const char *path, const char *raw, const char *detail);
/* `Unsupported value: "<s>": supported values: "A", "B"`; @p supported is
 * NULL-terminated and printed in the order given (upstream sorts most sets). */
void kube__err_unsupported(json_t *causes, const char *path, const char *s,
			   const char *const *supported);
/* The same with the value text given verbatim. */
void kube__err_unsupported_raw(json_t *causes, const char *path, const char *raw,
			       const char *const *supported);
/* `Duplicate value: "<s>"` and `Duplicate value: <raw>`. */
void kube__err_duplicate_str(json_t *causes, const char *path, const char *s);
void kube__err_duplicate_raw(json_t *causes, const char *path, const char *raw);
/* "Forbidden: <detail>". */
void kube__err_forbidden(json_t *causes, const char *path, const char *detail);
/* `Not found: "<s>"`. */
void kube__err_notfound(json_t *causes, const char *path, const char *s);
/* "Too long: may not be more than <max> bytes". */
void kube__err_toolong(json_t *causes, const char *path, long max);
/* One Invalid cause per message of a NULL-terminated message list. */
void kube__err_invalid_msgs(json_t *causes, const char *path, const char *s,
			    const char *const *msgs);

/* ValidateNonnegativeField: "must be greater than or equal to 0" when obj[key] < 0. */
void kube__check_nonneg(json_t *causes, const json_t *obj, const char *key, const char *base);
/* ValidateImmutableField for JSON values: "field is immutable" with @p raw as value text. */
bool kube__changed(const json_t *a, const json_t *b);

/* ---- name and value formats (k8s.io/apimachinery validation) ------------ */

/* Room for one check's messages, the NULL terminator included. */
#define KUBE_MSGS_MAX 6
/* Each fills msgs (KUBE_MSGS_MAX slots: up to 5 entries, NULL-terminated,
 * static strings) with upstream's error messages for @p s and returns their
 * count; 0 means valid. */
int kube__fmt_dns1123_label(const char *s, const char **msgs);
int kube__fmt_dns1123_subdomain(const char *s, const char **msgs);
int kube__fmt_dns1035_label(const char *s, const char **msgs);
int kube__fmt_qualified_name(const char *s, const char **msgs);
int kube__fmt_label_value(const char *s, const char **msgs);
int kube__fmt_port_name(const char *s, const char **msgs);      /* IsValidPortName (IANA_SVC_NAME) */
int kube__fmt_config_key(const char *s, const char **msgs);     /* IsConfigMapKey */
int kube__fmt_env_name(const char *s, const char **msgs);       /* IsRelaxedEnvVarName */
int kube__fmt_path_segment(const char *s, const char **msgs);   /* IsValidPathSegmentName (RBAC names) */
int kube__fmt_percent(const char *s, const char **msgs);        /* IsValidPercent */

/* IP text: 4 = IPv4, 6 = IPv6, 0 = not an IP. */
int kube__ip_family(const char *s);
/* CIDR text: "10.0.0.0/8" -> family and prefix; 0 when not a CIDR. */
int kube__cidr_parse(const char *s, unsigned char addr[16], int *prefix);

/* The messages of a check, each as an Invalid cause on @p path with value @p s. */
void kube__check_fmt(json_t *causes, const char *path, const char *s,
		     int (*check)(const char *, const char **));

/* ---- Go value rendering (field.Invalid of non-string values) ----------- */

/* `map[string]string{"a":"b", "c":"d"}` (keys sorted) or `map[string]string(nil)`. */
char *kube__go_string_map(const json_t *map);
/* `v1.LabelSelector{MatchLabels:map[string]string{...}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}`. */
char *kube__go_label_selector(const json_t *sel);
/* `[]string{"a", "b"}` or `[]string(nil)`. */
char *kube__go_string_slice(const json_t *arr);
/* IntOrString as its String(): `25%` or `1` (absent: `0`). */
const char *kube__intstr_text(const json_t *v, char *buf, size_t len);

/* ---- label selectors ---------------------------------------------------- */

/* metav1.LabelSelector validation (ValidateLabelSelector): operators,
 * values, keys; causes under @p path. */
void kube__validate_label_selector(json_t *causes, const json_t *sel, const char *path);
/* unversioned ValidateLabels on a string map (keys qualified names, values label values). */
void kube__validate_labels(json_t *causes, const json_t *labels, const char *path);
/* True when the selector (matchLabels + matchExpressions) is empty. */
bool kube__selector_empty(const json_t *sel);
/* True when @p labels satisfy @p sel (NULL selector matches nothing, as
 * LabelSelectorAsSelector(nil) = Nothing; {} matches everything), matched
 * by core/selector.h. A selector LabelSelectorAsSelector rejects counts as
 * matching: upstream skips the template check then, the selector's own
 * errors being reported by kube__validate_label_selector. */
bool kube__selector_matches(const json_t *sel, const json_t *labels);
/* True when a plain map selector (RC, Service) matches @p labels. */
bool kube__map_selector_matches(const json_t *sel, const json_t *labels);

/* ---- quantities --------------------------------------------------------- */

/* ValidateResourceQuantityValue / ValidateNonnegativeQuantity on obj[key]
 * (a quantity string or number): "must be greater than or equal to 0", and
 * "must be an integer" when @p integer. */
void kinds_check_quantity(json_t *causes, const json_t *v, const char *path, bool integer);
/* ValidatePositiveQuantityValue: "must be greater than zero". */
void kinds_check_quantity_positive(json_t *causes, const json_t *v, const char *path);
/* Compare two quantity JSON values; returns -2 when either does not parse. */
int kube__quantity_json_cmp(const json_t *a, const json_t *b);
/* Canonical String() of a quantity JSON value into buf (>= 64 bytes); the
 * raw text when it does not parse. */
const char *kube__quantity_json_text(const json_t *v, char *buf, size_t len);
/* Whether a resource name must hold whole numbers (extended resources,
 * object counts), as helper.IsIntegerResourceName. */
bool kube__resource_is_integer(const char *name);

/* ---- pod specs ---------------------------------------------------------- */

/* SetDefaults_PodSpec and everything below it (containers, probes, ports,
 * volumes, env): used for Pods and every pod template. */
void kube__podspec_defaults(json_t *spec);
/* ValidatePodSpec under @p base ("spec" or "spec.template.spec"). */
void kube__podspec_validate(const json_t *spec, const char *base, json_t *causes);
/* ValidatePodTemplateSpec: template labels/annotations and the pod spec,
 * under @p base ("spec.template"). */
void kube__podtemplate_validate_spec(const json_t *tmpl, const char *base, json_t *causes);

/* PersistentVolumeClaim spec defaults (volumeMode), shared with StatefulSet templates. */
void kube__pvc_spec_defaults(json_t *spec);
/* ValidatePersistentVolumeClaimSpec under @p base. */
void kube__pvc_spec_validate(const json_t *spec, const char *base, json_t *causes);

/* Job spec defaults and validation, shared with CronJob's jobTemplate. */
void kube__jobspec_defaults(json_t *spec);
void kube__jobspec_validate(const json_t *spec, const char *base, json_t *causes);

/* ---- the hooks (one pair per kind; see hooks.c) ------------------------- */

/*
 * Declares a kind's pair: kube__<name>_defaults sets the kind's defaults on
 * obj in place (a kube_defaults_fn); kube__<name>_validate appends a cause
 * (status.h) to causes for every bad field, old being the stored object on
 * update, NULL on create (a kube_validate_fn). Neither fails nor takes
 * ownership; an allocation failure only loses a cause. Kinds without
 * defaults define only _validate; hooks.c lists which.
 */
#define KUBE_KIND_HOOK(name) \
	void kube__##name##_defaults(json_t *obj); \
	void kube__##name##_validate(const json_t *obj, const json_t *old, json_t *causes)

KUBE_KIND_HOOK(pod);
KUBE_KIND_HOOK(service);
KUBE_KIND_HOOK(deployment);
KUBE_KIND_HOOK(replicaset);
KUBE_KIND_HOOK(statefulset);
KUBE_KIND_HOOK(daemonset);
KUBE_KIND_HOOK(rc);
KUBE_KIND_HOOK(job);
KUBE_KIND_HOOK(cronjob);
KUBE_KIND_HOOK(configmap);
KUBE_KIND_HOOK(secret);
KUBE_KIND_HOOK(role);
KUBE_KIND_HOOK(clusterrole);
KUBE_KIND_HOOK(rolebinding);
KUBE_KIND_HOOK(clusterrolebinding);
KUBE_KIND_HOOK(namespace);
KUBE_KIND_HOOK(node);
KUBE_KIND_HOOK(pv);
KUBE_KIND_HOOK(pvc);
KUBE_KIND_HOOK(storageclass);
KUBE_KIND_HOOK(ingress);
KUBE_KIND_HOOK(ingressclass);
KUBE_KIND_HOOK(networkpolicy);
KUBE_KIND_HOOK(pdb);
KUBE_KIND_HOOK(priorityclass);
KUBE_KIND_HOOK(event);
KUBE_KIND_HOOK(lease);
KUBE_KIND_HOOK(endpoints);
KUBE_KIND_HOOK(endpointslice);
KUBE_KIND_HOOK(resourcequota);
KUBE_KIND_HOOK(limitrange);
KUBE_KIND_HOOK(controllerrevision);

/* Cron schedules: core/cron.h (shared with the CronJob controller). */
#include "core/cron.h"

#endif

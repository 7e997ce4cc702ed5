/*
 * Label selectors (equality and set-based) and field selectors.
 */
#ifndef KUBE_CORE_SELECTOR_H
#define KUBE_CORE_SELECTOR_H

#include <stdbool.h>
#include <jansson.h>

struct kube_labelsel;
struct kube_fieldsel;

/*
 * Parse a label selector string as kubectl -l / labelSelector= writes it:
 * "a=b", "a==b", "a!=b", "a in (x,y)", "a notin (x)", "a", "!a", comma
 * separated (AND). NULL or "" selects everything. Returns NULL on a syntax
 * error and writes upstream's message into err (>= 256 bytes), e.g.
 * "unable to parse requirement: found '(', expected: identifier".
 */
struct kube_labelsel *kube__labelsel_parse(const char *s, char *err, size_t errlen);

/* A selector from a LabelSelector object ({matchLabels, matchExpressions}
 * with operators In, NotIn, Exists, DoesNotExist). NULL object selects
 * everything; an empty object {} selects everything (as metav1 does for
 * most uses). Returns NULL on a bad operator with err filled. */
struct kube_labelsel *kube__labelsel_from_json(const json_t *sel, char *err, size_t errlen);

/* True when @p labels (a JSON object of string values, or NULL) matches. */
bool kube__labelsel_match(const struct kube_labelsel *sel, const json_t *labels);

/* True when the selector selects everything. */
bool kube__labelsel_empty(const struct kube_labelsel *sel);

/* Free the selector and everything it owns; NULL is a no-op. */
void kube__labelsel_free(struct kube_labelsel *sel);

/*
 * Parse a field selector: "metadata.name=x,status.phase!=Running", "=="
 * allowed. Any dotted path is accepted here; the API server restricts the
 * paths per kind (metadata.name, metadata.namespace, spec.nodeName,
 * status.phase, involvedObject.*, ...). Returns NULL with err filled on a
 * syntax error.
 */
struct kube_fieldsel *kube__fieldsel_parse(const char *s, char *err, size_t errlen);

/* True when every term matches @p obj (a missing field compares as ""). */
bool kube__fieldsel_match(const struct kube_fieldsel *sel, const json_t *obj);

/* Number of terms, and the i-th term's field path (for checking support). */
int kube__fieldsel_count(const struct kube_fieldsel *sel);
const char *kube__fieldsel_field(const struct kube_fieldsel *sel, int i);

/* Free the selector and its terms; NULL is a no-op. */
void kube__fieldsel_free(struct kube_fieldsel *sel);

#endif

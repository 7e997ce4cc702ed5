/*
 * Binding pods to nodes and setting pod conditions (ops_bind.h).
 */
#include <stdlib.h>
#include <string.h>
#include "core/ops_bind.h"
#include "core/status.h"

bool kube__pod_set_condition(json_t *obj, const char *type, const char *status,
			     const char *reason, const char *message, int64_t now_ms)
{
	json_t *st = json_object_get(obj, "status"), *conds, *c, *old = NULL, *cond;
	char ts[32];
	size_t i;
	bool changed;

	if (!json_is_object(st)) {
		st = json_object();
		json_object_set_new(obj, "status", st);
	}
	conds = json_object_get(st, "conditions");
	if (!json_is_array(conds)) {
		conds = json_array();
		json_object_set_new(st, "conditions", conds);
	}
	json_array_foreach(conds, i, c) {
		if (!strcmp(json_string_value(json_object_get(c, "type")) ?: "", type)) {
			old = c;
			break;
		}
	}
	cond = json_pack("{s:s, s:s, s:n}", "type", type, "status", status, "lastProbeTime");
	if (reason && *reason)
		json_object_set_new(cond, "reason", json_string(reason));
	if (message && *message)
		json_object_set_new(cond, "message", json_string(message));
	if (old && !strcmp(json_string_value(json_object_get(old, "status")) ?: "", status) &&
	    json_object_get(old, "lastTransitionTime"))
		json_object_set(cond, "lastTransitionTime", json_object_get(old, "lastTransitionTime"));
	else
		json_object_set_new(cond, "lastTransitionTime",
				    json_string(kube__rfc3339(now_ms, ts, sizeof(ts))));
	if (!old) {
		json_array_append_new(conds, cond);
		return true;
	}
	changed = !json_equal(old, cond);
	json_array_set_new(conds, i, cond);
	return changed;
}

/* A bind in flight: who to tell. */
struct bind {
	kube_op_cb cb;
	void *data;
};

static void bind_done(int err, const json_t *obj, void *data)
{
	struct bind *b = data;
	json_t *st = err ? kube__status_new(err, kube_strerror(err), NULL) : NULL;

	b->cb(err, err ? NULL : obj, st, b->data);
	json_decref(st);
	free(b);
}

static void merge_annotations(json_t *pod, const json_t *annotations)
{
	json_t *ann, *v;
	const char *key;

	if (!json_object_size(annotations))
		return;
	ann = json_object_get(kube__meta(pod), "annotations");
	if (!json_is_object(ann)) {
		ann = json_object();
		json_object_set_new(kube__meta(pod), "annotations", ann);
	}
	json_object_foreach((json_t *)annotations, key, v)
		json_object_set(ann, key, v);
}

/* Upstream's assignPod checks; 0 or the failure with *st set. */
static int check_bindable(const json_t *cur, const char *name, const char *node,
			  const char *uid, json_t **st)
{
	const char *assigned = json_string_value(json_object_get(json_object_get(cur, "spec"),
								  "nodeName"));

	if (!node || !*node)
		return kube__fail(st, KUBE_EINVAL, NULL, NULL, NULL,
				  "Binding.target.name: Required value");
	if (uid && *uid && strcmp(uid, kube__meta_str(cur, "uid") ?: ""))
		return kube__fail(st, KUBE_ECONFLICT, "", "pods", name,
				  "Operation cannot be fulfilled on pods \"%s\": Precondition failed: "
				  "UID in precondition: %s, UID in object meta: %s", name, uid,
				  kube__meta_str(cur, "uid") ?: "");
	if (assigned && *assigned)
		return kube__fail(st, KUBE_ECONFLICT, "", "pods/binding", name,
				  "Operation cannot be fulfilled on pods/binding \"%s\": pod %s is "
				  "already assigned to node \"%s\"", name, name, assigned);
	if (json_object_get(json_object_get(cur, "metadata"), "deletionTimestamp"))
		return kube__fail(st, KUBE_ECONFLICT, "", "pods/binding", name,
				  "Operation cannot be fulfilled on pods/binding \"%s\": pod %s is "
				  "being deleted, cannot be assigned to a host", name, name);
	return 0;
}

/*
 * Upstream's assignPod is a GuaranteedUpdate on the pod's storage: the
 * Binding was admitted, the pod's own update validation (which forbids
 * spec changes) does not apply, and nodeName, annotations and the
 * PodScheduled condition land in one write.
 */
void kube__bind_pod(kube_cluster *c, const char *ns, const char *name, const char *node,
		    const json_t *annotations, const char *uid, kube_op_cb cb, void *data)
{
	const struct kube_kind *k = kube__registry_by_gvk("v1", "Pod");
	json_t *st = NULL, *pod;
	const json_t *cur = kube__op_get(c, k, ns, name, &st);
	struct bind *b = NULL;
	char *key = NULL;
	int err;

	err = cur ? check_bindable(cur, name, node, uid, &st) : KUBE_ENOTFOUND;
	if (!err) {
		b = malloc(sizeof(*b));
		key = kube__key(k, ns, name);
		if (!b || !key)
			err = kube__fail(&st, KUBE_ENOMEM, NULL, NULL, NULL, "out of memory");
	}
	if (err)
		goto fail;
	*b = (struct bind){ cb, data };
	pod = json_deep_copy(cur);
	json_object_set_new(json_object_get(pod, "spec"), "nodeName", json_string(node));
	merge_annotations(pod, annotations);
	kube__pod_set_condition(pod, "PodScheduled", "True", NULL, NULL, kube__now_ms(c));
	err = store_update(c->store, key, pod, store_obj_rev(cur), bind_done, b);
	free(key);
	if (err) {
		free(b);
		if (err == KUBE_ECONFLICT)
			kube__fail_conflict(&st, "", "pods", name);
		else
			st = kube__status_new(err, kube_strerror(err), NULL);
		cb(err, NULL, st, data);
		json_decref(st);
	}
	return;
fail:
	free(b);
	free(key);
	cb(err, NULL, st, data);
	json_decref(st);
}

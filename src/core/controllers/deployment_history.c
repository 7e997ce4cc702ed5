/*
 * A Deployment's ReplicaSets over time (upstream sync.go): which one is new
 * (its template equals the Deployment's, ignoring pod-template-hash), the
 * revision annotations that make rollout history and undo work, creating
 * the new ReplicaSet <name>-<hash>, and cleaning old ones beyond
 * revisionHistoryLimit.
 *
 * Undo (`kubectl rollout undo`, client-side in 1.32) copies an old
 * ReplicaSet's template back into the Deployment; that ReplicaSet then is
 * the new one again and gets the next revision, its previous revisions
 * kept in deployment.kubernetes.io/revision-history.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/ops.h"
#include "core/controllers/podutil.h"
#include "core/controllers/deployment_internal.h"

static const json_t *template_of(const json_t *obj)
{
	return json_object_get(json_object_get(obj, "spec"), "template");
}

bool kube__d_has_deadline(const json_t *d)
{
	const json_t *pds = json_object_get(json_object_get(d, "spec"), "progressDeadlineSeconds");

	return json_is_integer(pds) && json_integer_value(pds) != 2147483647;
}

/* NewRSNewReplicas. */
int64_t kube__d_new_rs_replicas(const json_t *d, const json_t *all, const json_t *new_rs)
{
	int64_t replicas = kube__d_int(d, "spec.replicas"), cur_new = kube__d_int(new_rs, "spec.replicas");
	const json_t *ru = json_object_get(json_object_get(json_object_get(d, "spec"), "strategy"),
					   "rollingUpdate");
	int64_t surge, current, max_total, up;

	if (!kube__d_rolling(d))
		return replicas;
	surge = kube__d_scaled(json_object_get(ru, "maxSurge"), replicas, true);
	current = kube__d_sum(all, "spec.replicas");
	max_total = replicas + surge;
	if (current >= max_total)
		return cur_new;
	up = max_total - current;
	if (up > replicas - cur_new)
		up = replicas - cur_new;
	return cur_new + up;
}

static int64_t max_revision(const json_t *rss)
{
	int64_t max = 0;
	json_t *rs;
	size_t i;

	json_array_foreach(rss, i, rs)
		if (kube__d_revision(rs) > max)
			max = kube__d_revision(rs);
	return max;
}

/* Store @p rs's annotations and minReadySeconds (the copy in the sync is already changed). */
static void write_rs_meta(struct dsync *s, json_t *rs)
{
	char *key = kube__key(s->dc->rs_kind, kube__meta_str(rs, "namespace"),
			      kube__meta_str(rs, "name"));
	const json_t *cur = key ? store_get(s->dc->c->store, key) : NULL;
	json_t *copy;

	free(key);
	if (!cur)
		return;
	copy = json_deep_copy(cur);
	json_object_set(kube__meta(copy), "annotations",
			json_object_get(json_object_get(rs, "metadata"), "annotations"));
	kube__d_set_int(copy, "spec.minReadySeconds", kube__d_int(rs, "spec.minReadySeconds"));
	kube__d_write(s, s->dc->rs_kind, copy, false, false, NULL);
}

/* SetDeploymentRevision (written at once, as upstream's UpdateStatus carries it). */
static void set_d_revision(struct dsync *s, const char *rev)
{
	const char *cur = kube__d_annotation(s->d, DEPLOY_REVISION);

	if (rev && (!cur || strcmp(cur, rev))) {
		kube__d_set_annotation(s->d, DEPLOY_REVISION, rev);
		kube__d_write_annotations(s);
	}
}

static void progressing(struct dsync *s, const char *status, const char *reason, const char *fmt,
			const char *name)
{
	char msg[512];

	snprintf(msg, sizeof(msg), fmt, name);
	kube__d_set_condition(json_object_get(s->d, "status"),
			      kube__d_new_condition(s->dc->c, "Progressing", status, reason, msg));
}

static void existing_new(struct dsync *s, int64_t revision)
{
	json_t *rs = s->new_rs;
	bool changed = kube__d_set_new_rs_annotations(s->d, rs, revision, true);
	int64_t mrs = kube__d_int(s->d, "spec.minReadySeconds");

	if (changed || kube__d_int(rs, "spec.minReadySeconds") != mrs) {
		kube__d_set_int(rs, "spec.minReadySeconds", mrs);
		write_rs_meta(s, rs);
		return;
	}
	set_d_revision(s, kube__d_annotation(rs, DEPLOY_REVISION));
	if (kube__d_has_deadline(s->d) &&
	    !kube__d_condition(json_object_get(s->d, "status"), "Progressing")) {
		progressing(s, "True", "FoundNewReplicaSet", "Found new replica set \"%s\"",
			    kube__meta_str(rs, "name"));
		kube__d_write_status(s);
	}
}

/* The ReplicaSet the Deployment's template makes, not yet stored. */
static json_t *make_new_rs(struct dsync *s, char *name_out, size_t len)
{
	const json_t *st = json_object_get(s->d, "status");
	json_t *tmpl = json_deep_copy(template_of(s->d)), *sel, *labels, *ml;
	char hash[16];

	kube__d_template_hash(tmpl, json_object_get(st, "collisionCount"), hash);
	labels = json_object_get(kube__meta(tmpl), "labels");
	if (!json_is_object(labels)) {
		labels = json_object();
		json_object_set_new(kube__meta(tmpl), "labels", labels);
	}
	json_object_set_new(labels, DEPLOY_HASH_LABEL, json_string(hash));
	sel = json_deep_copy(json_object_get(json_object_get(s->d, "spec"), "selector"));
	ml = json_object_get(sel, "matchLabels");
	if (!json_is_object(ml)) {
		ml = json_object();
		json_object_set_new(sel, "matchLabels", ml);
	}
	json_object_set_new(ml, DEPLOY_HASH_LABEL, json_string(hash));
	snprintf(name_out, len, "%s-%s", kube__meta_str(s->d, "name"), hash);
	return json_pack("{s:s, s:s, s:{s:s, s:s, s:[o], s:o}, s:{s:i, s:I, s:o, s:o}}",
			 "apiVersion", "apps/v1", "kind", "ReplicaSet", "metadata", "name", name_out,
			 "namespace", kube__meta_str(s->d, "namespace"), "ownerReferences",
			 kube__new_controller_ref(s->d), "labels", json_deep_copy(labels), "spec",
			 "replicas", 0,
			 "minReadySeconds", (json_int_t)kube__d_int(s->d, "spec.minReadySeconds"),
			 "selector", sel, "template", tmpl);
}

/* The name is taken: ours already (a stale index) or a hash collision. */
static json_t *name_taken(struct dsync *s, const char *name)
{
	char *key = kube__key(s->dc->rs_kind, kube__meta_str(s->d, "namespace"), name);
	const json_t *rs = key ? store_get(s->dc->c->store, key) : NULL;
	json_t *st = json_object_get(s->d, "status");

	free(key);
	if (rs && kube__controlled_by(rs, kube__meta_str(s->d, "uid")) &&
	    kube__d_equal_ignore_hash(template_of(s->d), template_of(rs)))
		return json_deep_copy(rs);
	kube__d_set_int(st, "collisionCount", kube__d_int(st, "collisionCount") + 1);
	kube__d_write_status(s);
	return NULL;
}

static void create_failed(struct dsync *s, const char *name, const char *err)
{
	char msg[512];

	snprintf(msg, sizeof(msg), "Failed to create new replica set \"%s\": %s", name, err);
	if (kube__d_has_deadline(s->d)) {
		kube__d_set_condition(json_object_get(s->d, "status"),
				      kube__d_new_condition(s->dc->c, "Progressing", "False",
							    "ReplicaSetCreateError", msg));
		kube__d_write_status(s);
	}
	kube__d_event(s, "Warning", "ReplicaSetCreateError", "%s", msg);
}

static int create_new(struct dsync *s, int64_t revision)
{
	char name[300], rev[32], *msg = NULL;
	json_t *rs = make_new_rs(s, name, sizeof(name)), *all = json_copy(s->old_rss);
	int64_t n;
	int err;
	bool exists = false;

	json_array_append(all, rs);
	n = kube__d_new_rs_replicas(s->d, all, rs);
	json_decref(all);
	kube__d_set_int(rs, "spec.replicas", n);
	kube__d_set_new_rs_annotations(s->d, rs, revision, false);
	err = kube__d_write(s, s->dc->rs_kind, json_incref(rs), true, false, &msg);
	if (err == KUBE_EEXIST) {
		json_decref(rs);
		rs = name_taken(s, name);
		exists = true;
		if (rs)
			s->err = err = 0;
	} else if (err) {
		create_failed(s, name, msg ? msg : kube_strerror(err));
	} else {
		json_t *copy = json_deep_copy(rs); /* the store holds rs now */

		json_decref(rs);
		rs = copy;
	}
	free(msg);
	if (err || !rs) {
		json_decref(rs);
		return err ? err : KUBE_EEXIST;
	}
	if (!exists && n > 0)
		kube__d_event(s, "Normal", "ScalingReplicaSet", "Scaled up replica set %s from 0 to %lld",
			      name, (long long)n);
	snprintf(rev, sizeof(rev), "%lld", (long long)revision);
	set_d_revision(s, rev);
	if (!exists && kube__d_has_deadline(s->d)) {
		progressing(s, "True", "NewReplicaSetCreated", "Created new replica set \"%s\"", name);
		kube__d_write_status(s);
	}
	json_array_append_new(s->rss, rs);
	s->new_rs = rs;
	return 0;
}

int kube__d_new_and_old(struct dsync *s, bool create)
{
	json_t *rs;
	size_t i;

	json_array_clear(s->old_rss);
	s->new_rs = NULL;
	json_array_foreach(s->rss, i, rs) {
		if (!s->new_rs && kube__d_equal_ignore_hash(template_of(rs), template_of(s->d)))
			s->new_rs = rs;
		else
			json_array_append(s->old_rss, rs);
	}
	if (s->new_rs) {
		existing_new(s, max_revision(s->old_rss) + 1);
		return 0;
	}
	if (!create)
		return 0;
	return create_new(s, max_revision(s->old_rss) + 1);
}

static void delete_done(int err, const json_t *obj, const json_t *st, void *data)
{
	(void)err, (void)obj, (void)st, (void)data;
}

/* cleanupDeployment: delete the oldest idle ReplicaSets beyond revisionHistoryLimit. */
void kube__d_cleanup(struct dsync *s)
{
	const json_t *limit = json_object_get(json_object_get(s->d, "spec"), "revisionHistoryLimit");
	json_t *alive = json_array(), *rs;
	int64_t diff;
	size_t i;

	if (!json_is_integer(limit))
		goto done;
	json_array_foreach(s->old_rss, i, rs)
		if (!kube__meta_str(rs, "deletionTimestamp"))
			json_array_append(alive, rs);
	diff = (int64_t)json_array_size(alive) - json_integer_value(limit);
	if (diff <= 0)
		goto done;
	kube__d_sort_by_revision(alive);
	for (i = 0; i < (size_t)diff; i++) {
		struct kube_op_opts o = { 0 };

		rs = json_array_get(alive, i);
		if (kube__d_int(rs, "status.replicas") || kube__d_int(rs, "spec.replicas") ||
		    kube__d_int(rs, "metadata.generation") > kube__d_int(rs, "status.observedGeneration"))
			continue;
		o.precondition_uid = kube__meta_str(rs, "uid");
		kube__op_delete(s->dc->c, s->dc->rs_kind, kube__meta_str(rs, "namespace"),
				kube__meta_str(rs, "name"), &o, delete_done, NULL);
	}
done:
	json_decref(alive);
}

/*
 * VolumeBinding for claims that are bound: the PersistentVolumes and
 * PersistentVolumeClaims the cluster feeds, upstream's PreFilter checks on
 * the pod's claims (missing, being deleted, lost) and the Filter check of
 * each bound PV's spec.nodeAffinity against the node. A claim still unbound
 * does not constrain placement: libkube has no PV controller, so it behaves
 * as a WaitForFirstConsumer class whose provisioner follows the scheduler.
 */
#include "sched/sched_int.h"
#include "libkube/errors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void pv_free(struct sched_pv *pv)
{
	for (int i = 0; pv && i < pv->nterms; i++)
		sched_term_free(&pv->terms[i]);
	if (pv)
		free(pv->terms);
	free(pv);
}

static void pvc_free(struct sched_pvc *c)
{
	if (c)
		free(c->volume);
	free(c);
}

/* Pods parked for their claims may fit now. */
static int retry_claim_pods(struct sched *s)
{
	for (int i = s->nparked - 1; i >= 0; i--) {
		struct sched_pod *p = s->parked[i];
		if (!p->nclaims)
			continue;
		sched_unpark(s, p);
		if (sched_heap_push(s, p)) {
			sched_park(s, p);
			return KUBE_ENOMEM;
		}
	}
	return 0;
}

static int pv_parse(struct sched *s, const json_t *obj, struct sched_pv *pv)
{
	const json_t *req = json_object_get(json_object_get(json_object_get(obj, "spec"),
							    "nodeAffinity"), "required");
	const json_t *terms = json_object_get(req, "nodeSelectorTerms");
	size_t i;
	json_t *t;
	int rc;

	if (!json_array_size(terms))
		return 0;
	if (!(pv->terms = calloc(json_array_size(terms), sizeof(*pv->terms))))
		return KUBE_ENOMEM;
	json_array_foreach(terms, i, t) {
		if ((rc = sched_term_parse(s, t, &pv->terms[pv->nterms++])))
			return rc;
	}
	return 0;
}

/* Add or replace a PersistentVolume; retries pods with claims. 0,
 * KUBE_EINVAL (no name) or KUBE_ENOMEM. */
int sched_pv_upsert(struct sched *s, const json_t *pv)
{
	const char *name = json_string_value(json_object_get(json_object_get(pv, "metadata"), "name"));
	struct sched_pv *v;
	int rc;

	if (!name)
		return KUBE_EINVAL;
	if (!(v = calloc(1, sizeof(*v))))
		return KUBE_ENOMEM;
	pv_free(sched_map_get(&s->pvs, name));
	if ((rc = pv_parse(s, pv, v)) || (rc = sched_map_put(&s->pvs, name, v))) {
		sched_map_del(&s->pvs, name);
		pv_free(v);
		return rc;
	}
	return retry_claim_pods(s);
}

/* Forget a PersistentVolume. 0 or KUBE_ENOTFOUND. */
int sched_pv_remove(struct sched *s, const char *name)
{
	struct sched_pv *v = sched_map_del(&s->pvs, name);

	pv_free(v);
	return v ? 0 : KUBE_ENOTFOUND;
}

/* Add or replace a PersistentVolumeClaim; retries pods with claims. */
int sched_pvc_upsert(struct sched *s, const json_t *pvc)
{
	const json_t *meta = json_object_get(pvc, "metadata");
	const char *ns = json_string_value(json_object_get(meta, "namespace"));
	const char *name = json_string_value(json_object_get(meta, "name"));
	const char *vol = json_string_value(json_object_get(json_object_get(pvc, "spec"),
							    "volumeName"));
	const char *phase = json_string_value(json_object_get(json_object_get(pvc, "status"),
							      "phase"));
	struct sched_pvc *c;
	char key[512];

	if (!ns || !name)
		return KUBE_EINVAL;
	if (!(c = calloc(1, sizeof(*c))) || (vol && *vol && !(c->volume = strdup(vol)))) {
		pvc_free(c);
		return KUBE_ENOMEM;
	}
	c->lost = phase && !strcmp(phase, "Lost");
	c->deleting = json_object_get(meta, "deletionTimestamp") != NULL;
	snprintf(key, sizeof(key), "%s/%s", ns, name);
	pvc_free(sched_map_get(&s->pvcs, key));
	if (sched_map_put(&s->pvcs, key, c)) {
		sched_map_del(&s->pvcs, key);
		pvc_free(c);
		return KUBE_ENOMEM;
	}
	return retry_claim_pods(s);
}

/* Forget a PersistentVolumeClaim. 0 or KUBE_ENOTFOUND. */
int sched_pvc_remove(struct sched *s, const char *ns, const char *name)
{
	struct sched_pvc *c;
	char key[512];

	snprintf(key, sizeof(key), "%s/%s", ns, name);
	c = sched_map_del(&s->pvcs, key);
	pvc_free(c);
	return c ? 0 : KUBE_ENOTFOUND;
}

/* Upstream podHasPVCs: why no node can take the pod's claims, or NULL. */
static int claim_check(struct sched *s, const struct sched_pod *p, const char *claim)
{
	const struct sched_pvc *c;
	char key[512];
	int n = 0;

	snprintf(key, sizeof(key), "%s/%s", p->ns, claim);
	if (!(c = sched_map_get(&s->pvcs, key)))
		n = asprintf(&s->cyc.prefilter, "persistentvolumeclaim \"%s\" not found", claim);
	else if (c->lost)
		n = asprintf(&s->cyc.prefilter, "persistentvolumeclaim \"%s\" bound to non-existent "
			     "persistentvolume \"%s\"", claim, c->volume ? c->volume : "");
	else if (c->deleting)
		n = asprintf(&s->cyc.prefilter, "persistentvolumeclaim \"%s\" is being deleted", claim);
	else if (c->volume) {
		const struct sched_pv *pv = sched_map_get(&s->pvs, c->volume);
		if (!pv)
			s->cyc.vol_missing = true;
		else if (pv->nterms) {
			if (sched_grow(&s->cyc.vols, &s->cyc.capvols, s->cyc.nvols + 1,
				       sizeof(*s->cyc.vols)))
				return KUBE_ENOMEM;
			s->cyc.vols[s->cyc.nvols++] = pv;
		}
	}
	if (n < 0) {
		s->cyc.prefilter = NULL;
		return KUBE_ENOMEM;
	}
	return 0;
}

/*
 * VolumeBinding PreFilter for @p p (built-in, without cfg.volume_filter):
 * resolves the pod's claims to their PVs for sched_volume_filter, or sets
 * s->cyc.prefilter to upstream's rejection text. 0 or KUBE_ENOMEM.
 */
int sched_volume_prefilter(struct sched *s, struct sched_pod *p)
{
	int rc;

	s->cyc.nvols = 0;
	s->cyc.vol_missing = false;
	for (int i = 0; i < p->nclaims && !s->cyc.prefilter; i++)
		if ((rc = claim_check(s, p, p->claims[i])))
			return rc;
	return 0;
}

/* VolumeBinding Filter on node @p n for the cycle's pod: NULL when its bound
 * PVs can be used there, else upstream's reason. */
const char *sched_volume_filter(const struct sched *s, const struct sched_node *n)
{
	const struct sched_cycle *c = &s->cyc;

	if (c->vol_missing)
		return "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)";
	for (int i = 0; i < c->nvols; i++) {
		const struct sched_pv *pv = c->vols[i];
		int t = 0;
		while (t < pv->nterms && !sched_term_match(s, &pv->terms[t], n))
			t++;
		if (t == pv->nterms)
			return "node(s) had volume node affinity conflict";
	}
	return NULL;
}

/* Free the volume caches (sched_free). */
void sched_volumes_free(struct sched *s)
{
	for (size_t i = 0; i < s->pvs.nslot; i++)
		if (s->pvs.key[i] && s->pvs.key[i] != (char *)1)
			pv_free(s->pvs.val[i]);
	for (size_t i = 0; i < s->pvcs.nslot; i++)
		if (s->pvcs.key[i] && s->pvcs.key[i] != (char *)1)
			pvc_free(s->pvcs.val[i]);
	sched_map_free(&s->pvs);
	sched_map_free(&s->pvcs);
	free(s->cyc.vols);
	free(s->cyc.prefilter);
}

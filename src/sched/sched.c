/*
 * The scheduler's entry points: configuration, the cluster feeds (nodes,
 * pods, namespaces, PDBs) and the scheduling cycle that turns the head of
 * the queue into a decision.
 */
#include "sched/sched_int.h"
#include "libkube/errors.h"

#include <stdlib.h>
#include <string.h>

void sched_config_default(struct sched_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->scheduler_name = "default-scheduler";
	cfg->weights = (struct sched_weights){
		.taint_toleration = 3, .node_affinity = 2, .resources_fit = 1,
		.pod_topology_spread = 2, .inter_pod_affinity = 2,
		.balanced_allocation = 1, .image_locality = 1,
	};
	cfg->strategy = SCHED_LEAST_ALLOCATED;
	cfg->cpu_weight = cfg->memory_weight = 1;
	cfg->hard_pod_affinity_weight = 1;
	cfg->default_spreading = true;
}

static int intern_wellknown(struct sched *s)
{
	struct { int *id; const char *str; } w[] = {
		{&s->s_cpu, "cpu"}, {&s->s_memory, "memory"}, {&s->s_eph, "ephemeral-storage"},
		{&s->s_pods, "pods"}, {&s->s_hostname, "kubernetes.io/hostname"},
		{&s->s_zone, "topology.kubernetes.io/zone"}, {&s->s_any_ip, "0.0.0.0"},
		{&s->s_tcp, "TCP"}, {&s->s_unsched_taint, "node.kubernetes.io/unschedulable"},
		{&s->s_empty, ""}, {&s->s_meta_name, "metadata.name"},
	};

	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		if ((*w[i].id = sched_intern_id(&s->str, w[i].str)) < 0)
			return KUBE_ENOMEM;
	return 0;
}

/* A scheduler with @p cfg (NULL: defaults); NULL when out of memory. */
struct sched *sched_new(const struct sched_config *cfg)
{
	struct sched *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	if (cfg)
		s->cfg = *cfg;
	else
		sched_config_default(&s->cfg);
	s->name = strdup(s->cfg.scheduler_name ? s->cfg.scheduler_name : "default-scheduler");
	s->cfg.scheduler_name = s->name;
	s->rng = s->cfg.seed ? s->cfg.seed : 0x9e3779b97f4a7c15ULL;
	if (!s->name || intern_wellknown(s)) {
		sched_free(s);
		return NULL;
	}
	return s;
}

static void free_pod(struct sched *s, struct sched_pod *p)
{
	sched_pod_release(s, p);
	free(p->ns);
	free(p->name);
	free(p->key);
	free(p);
}

void sched_free(struct sched *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->pod_by_key.nslot; i++)
		if (s->pod_by_key.key[i] && s->pod_by_key.key[i] != (char *)1)
			free_pod(s, s->pod_by_key.val[i]);
	for (size_t i = 0; i < s->ns_labels.nslot; i++)
		if (s->ns_labels.key[i] && s->ns_labels.key[i] != (char *)1)
			json_decref(s->ns_labels.val[i]);
	for (size_t i = 0; i < s->pdbs.nslot; i++)
		if (s->pdbs.key[i] && s->pdbs.key[i] != (char *)1)
			sched_pdb_free(s->pdbs.val[i]);
	for (int i = 0; i < s->nslots; i++)
		sched_node_free(&s->nodes[i]);
	sched_matchers_free(s);
	sched_volumes_free(s);
	sched_map_free(&s->pod_by_key);
	sched_map_free(&s->node_by_name);
	sched_map_free(&s->ns_labels);
	sched_map_free(&s->pdbs);
	for (int i = 0; i < s->ndompool; i++)
		free(s->dompool[i]);
	free(s->dompool);
	free(s->cyc.d);
	free(s->nodes);
	free(s->free_slots);
	free(s->heap);
	free(s->parked);
	free(s->img_nodes);
	free(s->st);
	free(s->feasible);
	free(s->only);
	free(s->scores);
	free(s->total);
	free(s->name);
	sched_intern_free(&s->str);
	free(s);
}

int sched_queue_active(const struct sched *s) { return s->nheap; }
int sched_queue_unschedulable(const struct sched *s) { return s->nparked; }
int sched_node_count(const struct sched *s) { return s->nnodes; }

const char *sched_pod_node(const struct sched *s, const char *ns, const char *name)
{
	char key[512];
	const struct sched_pod *p;

	snprintf(key, sizeof(key), "%s/%s", ns, name);
	p = sched_map_get(&s->pod_by_key, key);
	return p && p->node >= 0 ? s->nodes[p->node].name : NULL;
}

void sched_decision_clear(struct sched_decision *d)
{
	for (int i = 0; i < d->nvictims; i++) {
		free(d->victims[i].ns);
		free(d->victims[i].name);
	}
	free(d->victims);
	free(d->ns);
	free(d->name);
	free(d->node);
	free(d->message);
	memset(d, 0, sizeof(*d));
}

/*
 * KubeSchedulerConfiguration read into struct sched_config, and the knobs
 * it sets doing what they say: score weights and percentageOfNodesToScore.
 */
#include "sched_helpers.h"
#include "libkube/errors.h"

#define KSC "apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n"

/* Profile @p i of @p text over the defaults. */
static void load(const char *text, int i, struct sched_config *cfg, json_t **doc)
{
	char err[256] = "";

	cr_assert_gt(sched_config_parse(text, doc, err, sizeof(err)), i, "%s", err);
	sched_config_default(cfg);
	cr_assert_eq(sched_config_from_json(*doc, i, cfg, err, sizeof(err)), 0, "%s", err);
}

Test(config, defaults_without_profiles)
{
	struct sched_config cfg, def;
	json_t *doc;

	load(KSC, 0, &cfg, &doc);
	sched_config_default(&def);
	cr_assert_str_eq(cfg.scheduler_name, "default-scheduler");
	cr_assert_eq(memcmp(&cfg.weights, &def.weights, sizeof(def.weights)), 0);
	cr_assert_eq(cfg.percentage_of_nodes_to_score, 0);
	cr_assert_eq(cfg.strategy, SCHED_LEAST_ALLOCATED);
	cr_assert(cfg.default_spreading);
	json_decref(doc);
}

Test(config, every_knob)
{
	struct sched_config cfg;
	json_t *doc;

	load(KSC "percentageOfNodesToScore: 30\n"
	     "profiles:\n"
	     "- schedulerName: first\n"
	     "- schedulerName: tuned\n"
	     "  percentageOfNodesToScore: 70\n"
	     "  plugins:\n"
	     "    multiPoint:\n      enabled: [{name: PrioritySort}, {name: TaintToleration, weight: 5}]\n"
	     "    score:\n"
	     "      disabled: [{name: ImageLocality}]\n"
	     "      enabled: [{name: NodeAffinity, weight: 0}, {name: InterPodAffinity, weight: 7}]\n"
	     "  pluginConfig:\n"
	     "  - name: NodeResourcesFit\n"
	     "    args:\n      scoringStrategy:\n        type: MostAllocated\n"
	     "        resources: [{name: cpu, weight: 3}, {name: memory, weight: 1}]\n"
	     "  - name: InterPodAffinity\n    args: {hardPodAffinityWeight: 9}\n"
	     "  - name: PodTopologySpread\n    args: {defaultingType: List}\n", 1, &cfg, &doc);
	cr_assert_str_eq(cfg.scheduler_name, "tuned");
	cr_assert_eq(cfg.percentage_of_nodes_to_score, 70);
	cr_assert_eq(cfg.weights.taint_toleration, 5);
	cr_assert_eq(cfg.weights.node_affinity, 1, "weight 0 means 1, as upstream");
	cr_assert_eq(cfg.weights.inter_pod_affinity, 7);
	cr_assert_eq(cfg.weights.image_locality, 0);
	cr_assert_eq(cfg.weights.resources_fit, 1);
	cr_assert_eq(cfg.strategy, SCHED_MOST_ALLOCATED);
	cr_assert_eq(cfg.cpu_weight, 3);
	cr_assert_eq(cfg.memory_weight, 1);
	cr_assert_eq(cfg.hard_pod_affinity_weight, 9);
	cr_assert_not(cfg.default_spreading);
	json_decref(doc);
	load(KSC "percentageOfNodesToScore: 30\nprofiles: [{schedulerName: first}]\n", 0, &cfg, &doc);
	cr_assert_eq(cfg.percentage_of_nodes_to_score, 30);
	json_decref(doc);
}

Test(config, disable_all_then_enable_one)
{
	struct sched_config cfg;
	json_t *doc;

	load(KSC "profiles:\n- plugins:\n    score:\n      disabled: [{name: \"*\"}]\n"
	     "      enabled: [{name: NodeResourcesFit, weight: 2}]\n", 0, &cfg, &doc);
	cr_assert_eq(cfg.weights.resources_fit, 2);
	cr_assert_eq(cfg.weights.taint_toleration + cfg.weights.node_affinity +
		     cfg.weights.pod_topology_spread + cfg.weights.inter_pod_affinity +
		     cfg.weights.balanced_allocation + cfg.weights.image_locality, 0);
	json_decref(doc);
}

/* 200 nodes, one already loaded; MostAllocated wants every pod there. */
static int pods_on_loaded(const char *pct)
{
	char text[1024];
	struct sched_config cfg;
	struct sched_decision d;
	struct sched *s;
	json_t *doc;
	int n = 0;

	snprintf(text, sizeof(text), KSC "%s\nprofiles:\n- plugins:\n    score:\n"
		 "      disabled: [{name: \"*\"}]\n      enabled: [{name: NodeResourcesFit}]\n"
		 "  pluginConfig:\n  - name: NodeResourcesFit\n"
		 "    args: {scoringStrategy: {type: MostAllocated}}\n", pct);
	load(text, 0, &cfg, &doc);
	cfg.seed = 7;
	s = sched_new(&cfg);
	json_decref(doc);
	for (int i = 0; i < 200; i++) {
		char name[16];
		snprintf(name, sizeof(name), "node-%03d", i);
		add_node(s, name, "8", "32Gi", "", "{}");
	}
	add_bound(s, "loaded", "node-000", "4", "16Gi", "", "");
	for (int i = 0; i < 4; i++) {
		char name[16];
		snprintf(name, sizeof(name), "p%d", i);
		add_pod(s, name, "100m", "100Mi", "", "");
		next(s, &d);
		cr_assert_eq(d.kind, SCHED_BIND);
		n += !strcmp(d.node, "node-000");
		sched_decision_clear(&d);
	}
	sched_free(s);
	return n;
}

Test(config, percentage_of_nodes_to_score)
{
	/* all nodes scored: every pod finds the loaded node */
	cr_assert_eq(pods_on_loaded("percentageOfNodesToScore: 100"), 4);
	/* adaptive (200 nodes: 100 per cycle from a rotating start): half the
	 * cycles never look at node-000 */
	cr_assert_eq(pods_on_loaded(""), 2);
}

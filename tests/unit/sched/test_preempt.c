/*
 * DefaultPreemption: victims, node choice, PDBs, nominations.
 */
#include "sched_helpers.h"

static struct sched *s;
static struct sched_decision d;

static void setup(void) { s = new_sched(); cr_assert(s); }
static void teardown(void) { sched_decision_clear(&d); sched_free(s); }

TestSuite(preempt, .init = setup, .fini = teardown);

static bool victim(const char *name)
{
	for (int i = 0; i < d.nvictims; i++)
		if (!strcmp(d.victims[i].name, name))
			return true;
	return false;
}

Test(preempt, lowest_priority_victims_on_one_node)
{
	add_node(s, "n1", "4", "8Gi", "", "{}");
	add_node(s, "n2", "4", "8Gi", "", "{}");
	/* n1: priorities 10, 5, 1 (1 cpu each, 1 free); n2: 100, 50, 20 */
	add_bound(s, "a10", "n1", "1", "", "", "\"priority\":10");
	add_bound(s, "a5", "n1", "1", "", "", "\"priority\":5");
	add_bound(s, "a1", "n1", "1", "", "", "\"priority\":1");
	add_bound(s, "b100", "n2", "1", "", "", "\"priority\":100");
	add_bound(s, "b50", "n2", "1", "", "", "\"priority\":50");
	add_bound(s, "b20", "n2", "1", "", "", "\"priority\":20");
	add_pod(s, "hi", "3", "", "", "\"priority\":1000");
	next(s, &d);
	cr_assert_eq(d.kind, SCHED_PREEMPT);
	cr_assert_str_eq(d.node, "n1");
	cr_assert_eq(d.nvictims, 2);
	cr_assert(victim("a5") && victim("a1"), "victims %s %s", d.victims[0].name, d.victims[1].name);
	cr_assert_str_eq(d.victims[0].name, "a5", "most important first");
	cr_assert_str_eq(d.message, "0/2 nodes are available: 2 Insufficient cpu.");
	cr_assert_eq(sched_queue_unschedulable(s), 1);
	sched_decision_clear(&d);

	/* The nomination reserves the room against lower-priority pods. */
	cr_assert_eq(sched_pod_remove(s, "default", "a5"), 0);
	cr_assert_eq(sched_pod_remove(s, "default", "a1"), 0);
	add_pod(s, "low", "1", "", "", "\"priority\":0");
	next(s, &d);
	cr_assert_str_eq(d.name, "hi");
	cr_assert_eq(d.kind, SCHED_BIND);
	cr_assert_str_eq(d.node, "n1");
}

Test(preempt, only_lower_priority_and_never_policy)
{
	add_node(s, "n1", "2", "8Gi", "", "{}");
	add_bound(s, "peer", "n1", "2", "", "", "\"priority\":100");
	add_pod(s, "same", "1", "", "", "\"priority\":100");
	next(s, &d);
	cr_assert_eq(d.kind, SCHED_UNSCHEDULABLE);
	cr_assert_str_eq(d.message, "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes "
			 "are available: 1 No preemption victims found for incoming pod.");
	sched_decision_clear(&d);
	add_bound(s, "low", "n1", "", "", "", "\"priority\":1");
	add_pod(s, "big", "4", "", "", "\"priority\":1000");
	next(s, &d);
	cr_assert_str_eq(d.name, "big");
	cr_assert_eq(d.kind, SCHED_UNSCHEDULABLE, "removing 'low' frees no cpu");
	cr_assert_str_eq(d.message, "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes "
			 "are available: 1 Insufficient cpu.");
}

Test(preempt, pdb_protected_pods_are_spared)
{
	json_t *pdb = js("{\"metadata\":{\"name\":\"keep\",\"namespace\":\"default\"},\"spec\":"
			 "{\"selector\":{\"matchLabels\":{\"app\":\"keep\"}}},\"status\":"
			 "{\"disruptionsAllowed\":0}}");

	cr_assert_eq(sched_pdb_upsert(s, pdb), 0);
	json_decref(pdb);
	add_node(s, "n1", "2", "8Gi", "", "{}");
	add_node(s, "n2", "2", "8Gi", "", "{}");
	add_bound(s, "kept", "n1", "2", "", "\"app\":\"keep\"", "\"priority\":1");
	add_bound(s, "free", "n2", "2", "", "\"app\":\"other\"", "\"priority\":5");
	add_pod(s, "hi", "2", "", "", "\"priority\":1000");
	next(s, &d);
	cr_assert_eq(d.kind, SCHED_PREEMPT);
	cr_assert_str_eq(d.node, "n2", "the PDB-protected pod stays although its priority is lower");
	cr_assert_eq(d.nvictims, 1);
	cr_assert_str_eq(d.victims[0].name, "free");
	cr_assert_eq(sched_pdb_remove(s, "default", "keep"), 0);
}

Test(preempt, fewest_victims_breaks_ties)
{
	add_node(s, "n1", "2", "8Gi", "", "{}");
	add_node(s, "n2", "2", "8Gi", "", "{}");
	add_bound(s, "x1", "n1", "1", "", "", "\"priority\":1");
	add_bound(s, "x2", "n1", "1", "", "", "\"priority\":1");
	add_bound(s, "y", "n2", "2", "", "", "\"priority\":1");
	add_pod(s, "hi", "2", "", "", "\"priority\":10");
	next(s, &d);
	cr_assert_eq(d.kind, SCHED_PREEMPT);
	/* Equal highest priority; sums 2 vs 1 (offset by MaxInt32+1 each): n2 wins. */
	cr_assert_str_eq(d.node, "n2");
}

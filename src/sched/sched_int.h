/*
 * Scheduler internals shared by the files of src/sched/. Nothing outside
 * src/sched includes this; the cluster uses sched.h.
 */
#ifndef KUBE_SCHED_SCHED_INT_H
#define KUBE_SCHED_SCHED_INT_H

#include "sched/sched.h"
#include "core/selector.h"

#include <stddef.h>
#include <stdint.h>

#define SCHED_MAX_SCORE 100
#define SCHED_DEFAULT_MILLI_CPU 100                 /* non-zero request for scoring */
#define SCHED_DEFAULT_MEMORY (200LL * 1024 * 1024)

/* ---- util.c: interned strings and a string-keyed map ---- */

/* String -> dense id (0..n-1); ids are stable for the table's life. */
struct sched_intern {
	char **str;      /* id -> string (owned) */
	int n, cap;      /* ids in use, capacity of str */
	int *slot;       /* open-addressing table of ids, -1 empty */
	size_t nslot;    /* power of two */
};

int sched_intern_id(struct sched_intern *t, const char *s);  /* -1 on ENOMEM */
int sched_intern_find(const struct sched_intern *t, const char *s); /* -1 if absent */
void sched_intern_free(struct sched_intern *t);     /* frees the strings, zeroes t */

/* String -> pointer map with deletion (tombstones), keys owned. */
struct sched_map {
	char **key; /* per slot: owned key, NULL empty, or a tombstone */
	void **val; /* per slot: the value */
	size_t nslot, used, live; /* slots (power of two), non-empty slots, live keys */
};

void *sched_map_get(const struct sched_map *m, const char *key);    /* NULL if absent */
int sched_map_put(struct sched_map *m, const char *key, void *val); /* 0 / KUBE_ENOMEM */
void *sched_map_del(struct sched_map *m, const char *key);          /* the value removed */
void sched_map_free(struct sched_map *m);  /* frees the keys, not the values; zeroes m */

/* Grow an array to hold at least @p need elements; 0 or KUBE_ENOMEM. */
int sched_grow(void *arrp, int *cap, int need, size_t elem);

uint64_t sched_rand(uint64_t *state);
uint64_t sched_hash(const char *s);

/* ---- resources ---- */

/* One named scalar resource (extended, hugepages-*, attachable-volumes-*). */
struct sched_scalar {
	int name;        /* interned resource name */
	int64_t val;     /* whole units */
};

/* A resource vector as upstream's framework.Resource. */
struct sched_res {
	int64_t cpu;                 /* milli-cpu */
	int64_t mem;                 /* bytes */
	int64_t eph;                 /* ephemeral-storage bytes */
	int nscalar, capscalar;      /* extended resources */
	struct sched_scalar *scalar; /* nscalar of them, capscalar allocated */
};

/* The named scalar's value, 0 when absent. */
int64_t sched_res_scalar(const struct sched_res *r, int name);
/* Add @p delta to the named scalar, creating it; 0 or KUBE_ENOMEM. */
int sched_res_add_scalar(struct sched_res *r, int name, int64_t delta);
/* dst += sign * src; 0 or KUBE_ENOMEM (dst then partly updated). */
int sched_res_add(struct sched_res *dst, const struct sched_res *src, int sign);
/* Free the scalars and zero @p r (the struct itself is the caller's). */
void sched_res_free(struct sched_res *r);

/* ---- node selector (nodeSelector and node affinity terms) ---- */

enum sched_op { OP_IN, OP_NOTIN, OP_EXISTS, OP_DOESNOTEXIST, OP_GT, OP_LT, OP_NONE };

struct sched_req {
	int key;                 /* interned label key; -1 for matchFields metadata.name */
	enum sched_op op;        /* OP_NONE: a requirement that never matches (bad operator) */
	int nval;                /* entries in val */
	int *val;                /* interned values (In/NotIn; metadata.name) */
	int64_t num;             /* Gt/Lt operand */
};

/* Requirements ANDed; a term without requirements matches nothing. */
struct sched_term {
	int nreq;                /* entries in req */
	struct sched_req *req;   /* the requirements */
	int weight;              /* preferred terms */
};

/* ---- taints and tolerations ---- */

enum sched_effect { EFF_ALL = 0, EFF_NOSCHEDULE, EFF_PREFERNOSCHEDULE, EFF_NOEXECUTE };

struct sched_taint {
	int key, value;          /* interned */
	enum sched_effect effect; /* NoSchedule, PreferNoSchedule or NoExecute */
};

struct sched_toleration {
	int key;                 /* -1: empty key */
	int value;               /* interned; "" when absent */
	bool exists;             /* operator Exists */
	enum sched_effect effect;/* EFF_ALL: any effect */
};

/* ---- matchers: which pods a pod affinity term or spread constraint counts ---- */

enum sched_match_mode { MM_SELECTOR, MM_NOTHING, MM_OWNER, MM_AND };

/*
 * A shared, refcounted pod matcher; identical terms of many pods share one.
 * cnt[] holds, per node slot, how many accounted pods match: it is updated on
 * every bind and removal, so topology queries never re-scan pods.
 */
struct sched_matcher {
	char *ident;                   /* canonical text, key of sched.matcher_by_ident */
	int refs;                      /* pods (queued or bound) that reference it */
	enum sched_match_mode mode;    /* how pods are matched */
	struct kube_labelsel *sel;     /* MM_SELECTOR */
	char *owner_uid;               /* MM_OWNER: pods whose first ownerReference has it */
	int nsub, *sub;                /* MM_AND: matcher ids that must all match */
	int nns, *ns;                  /* namespaces (interned) */
	struct kube_labelsel *ns_sel;  /* namespaceSelector, or NULL */
	bool all_ns;                   /* namespaceSelector {} */
	int *cnt;                      /* per node slot */
};

/* A term held by accounted pods, applied to incoming pods that it matches. */
enum sched_held_kind { HELD_REQ_ANTI, HELD_REQ_AFF, HELD_PREF };

struct sched_held {
	int matcher;                   /* pods the term applies to */
	int topo;                      /* interned topology key */
	enum sched_held_kind kind;     /* required anti-affinity, affinity or preferred */
	int refs;                      /* accounted pods holding it */
	int *sum;                      /* per node slot: count, or signed weight sum */
};

/* ---- pods ---- */

struct sched_port {
	int ip;                  /* interned hostIP, "0.0.0.0" by default */
	int proto;               /* interned protocol */
	int port;                /* host port */
	int refs;                /* node port tables: pods using it */
};

struct sched_pterm {               /* a pod (anti-)affinity term of a pod */
	int matcher;                   /* pods the term selects */
	int topo;                      /* interned topologyKey */
	int weight;                    /* preferred: weight (negative for anti) */
};

struct sched_spread {
	int matcher; /* pods counted (labelSelector, matchLabelKeys) */
	int topo;    /* interned topologyKey */
	int max_skew; /* maxSkew */
	int min_domains;               /* minDomains, 1 when unset */
	bool hard;                     /* DoNotSchedule */
	bool honor_affinity;           /* nodeAffinityPolicy Honor (default) */
	bool honor_taints;             /* nodeTaintsPolicy Honor */
};

enum sched_pod_state {
	POD_IGNORED,        /* pending for another scheduler */
	POD_ACTIVE,         /* in the active heap */
	POD_PARKED,         /* unschedulable, waiting for a relevant change */
	POD_ASSUMED,        /* decided, not yet confirmed bound */
	POD_BOUND,          /* spec.nodeName set */
};

struct sched_pod {
	char *ns, *name;               /* owned copies */
	char *key;                     /* "ns/name" */
	int ns_id;                     /* namespace, interned */
	enum sched_pod_state state;    /* ignored, queued, parked, assumed or bound */
	int node;                      /* node slot if assumed/bound, else -1 */
	int nominated;                 /* node slot nominated by preemption, or -1 */
	int heap_idx;                  /* in the active heap, or -1 */
	int park_idx;                  /* in the parked list, or -1 */
	int node_idx;                  /* index in its node's pod list */
	uint64_t seq;                  /* queue order within a priority */
	uint64_t spec_hash;            /* spec + labels, to ignore status-only updates */
	int32_t prio;                  /* spec.priority */
	bool never_preempt;            /* preemptionPolicy Never */
	char *start_time;              /* status.startTime (RFC 3339), or NULL */
	char *owner_uid;               /* first ownerReference's uid, or NULL */
	json_t *labels;                /* metadata.labels (reference held) */

	struct sched_res req;          /* requests incl. init containers and overhead */
	int64_t nz_cpu, nz_mem;        /* non-zero requests for scoring */
	int nports; struct sched_port *ports; /* hostPorts */
	int ntol; struct sched_toleration *tol; /* tolerations */
	bool has_sel_terms;            /* required node affinity present */
	int nsel_terms; struct sched_term *sel_terms; /* required node affinity (OR) */
	struct sched_term node_sel;    /* nodeSelector (ANDed with the terms) */
	int npref; struct sched_term *pref;           /* preferred node affinity */
	int naff; struct sched_pterm *aff;            /* required pod affinity */
	int aff_all;                   /* matcher of "matches all affinity terms", -1 */
	int nanti; struct sched_pterm *anti;          /* required anti-affinity */
	int nppref; struct sched_pterm *ppref;        /* preferred (anti-)affinity */
	int nspread; struct sched_spread *spread;     /* explicit constraints */
	int nimages; int *images;                     /* normalized image names */
	int ncontainers;                              /* containers, for ImageLocality */
	int nclaims; char **claims;                   /* PVC names */
	int nheld; int *held;                         /* held groups while accounted */
	int owner_matcher;             /* pods of the same owner (default spreading), -1 */
};

/* ---- nodes ---- */

struct sched_image {
	int name;                /* interned normalized image name */
	int64_t size;            /* bytes */
};

struct sched_node {
	char *name;              /* Node name (owned) */
	int name_id;             /* interned name (matchFields metadata.name) */
	bool has_obj;            /* false: placeholder for pods bound to an unknown node */
	bool unschedulable;      /* spec.unschedulable */
	int nlabels;             /* entries in lkey and lval */
	int *lkey, *lval;        /* labels, sorted by key id */
	int ntaints; struct sched_taint *taints; /* spec.taints */
	struct sched_res alloc;                  /* status.allocatable */
	int64_t alloc_pods;      /* allocatable pods */
	struct sched_res req;    /* sum of accounted pods' requests */
	int64_t nz_cpu, nz_mem;  /* sum of accounted pods' non-zero requests */
	int nports, capports; struct sched_port *ports; /* host ports in use */
	int nimages; struct sched_image *images;      /* sorted by name */
	int npods, cappods; struct sched_pod **pods;  /* accounted pods (node_idx indexes it) */
	int nnom, capnom; struct sched_pod **nom;     /* pods nominated here */
};

/* ---- volumes (volume.c): VolumeBinding for claims bound to PVs ---- */

struct sched_pv {
	int nterms;                    /* spec.nodeAffinity.required terms (OR); 0: any node */
	struct sched_term *terms;      /* the terms */
};

struct sched_pvc {
	char *volume;                  /* spec.volumeName; NULL while unbound */
	bool lost;                     /* status.phase Lost */
	bool deleting;                 /* metadata.deletionTimestamp set */
};

/* ---- per-cycle state ---- */

/* Why a node failed the filters (first failing plugin, as upstream). */
enum sched_reason {
	R_OK, R_UNSCHEDULABLE, R_NODENAME, R_TAINT, R_AFFINITY, R_PORTS,
	R_RESOURCES, R_VOLUME, R_SPREAD_LABEL, R_SPREAD_SKEW, R_IPA_AFF,
	R_IPA_ANTI, R_IPA_EXISTING,
	R_NOT_HELPFUL,           /* preemption: node unresolvable */
	R_NO_VICTIMS,            /* preemption: no lower-priority pods there */
	R_NOT_IN_RESULT,         /* outside NodeAffinity's PreFilterResult (matchFields names) */
	R_PREFILTER,             /* a PreFilter rejected the pod; text: why */
};

struct sched_status {
	uint8_t code;            /* enum sched_reason */
	uint32_t detail;         /* R_TAINT: taint index; R_RESOURCES: bit mask */
	const char *text;        /* R_VOLUME: the hook's reason */
};

/* Per-domain sums of one topology key, indexed by interned label value. */
struct sched_dom {
	int topo;                /* interned topology key */
	int weight;              /* scoring terms: multiplier */
	int max_skew, min;       /* spread constraints */
	bool self;               /* spread: the incoming pod matches its own selector */
	bool hostname;           /* spread scoring: per-node count, not per domain */
	const struct sched_spread *sc; /* spread: its constraint */
	const int *pernode;      /* the per-slot counts summed into v */
	int *v;                  /* value id -> sum */
	int *present;            /* value id -> eligible nodes (spread) */
	int ndomains;            /* domains with eligible nodes */
	double norm;             /* spread scoring weight */
};

/* What PreFilter (and PreScore) computed for the pod of the current cycle:
 * ranges of d[] per use. */
struct sched_cycle {
	struct sched_pod *pod;   /* the pod being scheduled */
	struct sched_dom *d;     /* per-domain sums, nd used, capd allocated */
	int nd, capd;            /* entries in d, allocated */
	int aff0, naff;          /* required affinity terms (pods matching all terms) */
	int anti0, nanti;        /* required anti-affinity terms */
	int exist0, nexist;      /* existing pods' anti-affinity that selects the pod */
	int spread0, nspread;    /* DoNotSchedule constraints */
	int score0, nscore;      /* InterPodAffinity scoring terms */
	int soft0, nsoft;        /* ScheduleAnyway / default constraints */
	bool aff_any;            /* some pod matches all affinity terms */
	bool aff_self;           /* the pod matches all its own affinity terms */
	char *prefilter;         /* a PreFilter rejection (UnschedulableAndUnresolvable), or NULL */
	bool restricted;         /* NodeAffinity PreFilterResult: only slots in s->only[] */
	int nonly;               /* existing nodes in it */
	int nvols, capvols;      /* PVs of the pod's bound claims */
	const struct sched_pv **vols; /* nvols of them (borrowed from s->pvs) */
	bool vol_missing;        /* a claim is bound to a PV that does not exist */
};

/* ---- the scheduler ---- */

struct sched_pdb {
	char *key;                   /* owned "ns/name" */
	int ns;                      /* namespace, interned */
	struct kube_labelsel *sel;   /* NULL: selects nothing */
	int64_t allowed;             /* status.disruptionsAllowed */
};

struct sched {
	struct sched_config cfg;       /* copy of the configuration */
	char *name;                    /* owned copy of cfg.scheduler_name */
	struct sched_intern str;       /* every interned string */
	/* well-known interned strings */
	int s_cpu, s_memory, s_eph, s_pods, s_hostname, s_zone, s_any_ip, s_tcp,
	    s_unsched_taint, s_empty, s_meta_name; /* ids, interned at creation */

	struct sched_node *nodes;      /* slots */
	int nslots, capslots;          /* slots in use, allocated */
	int nnodes;                    /* slots with a Node object */
	int *free_slots; int nfree, capfree; /* slots of removed nodes to reuse */
	struct sched_map node_by_name; /* name -> slot + 1 */

	struct sched_map pod_by_key;   /* "ns/name" -> struct sched_pod */
	struct sched_pod **heap; int nheap, capheap; /* active queue: binary heap by priority, then seq */
	struct sched_pod **parked; int nparked, capparked; /* unschedulable pods */
	uint64_t seq;                                      /* next pod sequence number */

	struct sched_matcher **matchers; int nmatchers, capmatchers; /* by id; NULL: a free id */
	int *free_matchers; int nfreem, capfreem; /* ids to reuse */
	struct sched_map matcher_by_ident;   /* ident -> id + 1 */
	struct sched_held **held; int nheldg, capheldg; /* held groups by id */
	struct sched_map held_by_ident;      /* ident -> id + 1 */
	int nreq_anti_held;                  /* pods holding required anti-affinity */

	struct sched_map ns_labels;          /* namespace -> json labels (ref held) */
	struct sched_map pdbs;               /* "ns/name" -> struct sched_pdb */
	struct sched_map pvs;                /* PV name -> struct sched_pv */
	struct sched_map pvcs;               /* "ns/name" -> struct sched_pvc */

	int *img_nodes; int capimg;          /* image id -> number of nodes having it */

	int next_start;                      /* rotating filter start */
	uint64_t rng;                        /* sched_rand state */

	/* cycle scratch */
	struct sched_cycle cyc;
	struct sched_status *st; int capst;  /* per slot: why the pod does not fit */
	int *feasible; int capfeas;          /* slots that passed Filter */
	bool *only; int caponly;             /* per slot: in the PreFilterResult */
	int64_t *scores, *total; int capscores, captotal; /* per slot: one plugin's and all plugins' scores */
	int **dompool; int ndompool, usedpool, capdompool; /* per-domain count arrays reused across cycles */
	int dompool_size;                    /* entries per pool array (intern ids) */
};

/* node.c */
int sched_node_slot(const struct sched *s, const char *name);      /* -1 if absent */
int sched_node_ensure(struct sched *s, const char *name);          /* slot or ENOMEM */
int sched_node_label(const struct sched_node *n, int key);         /* value id or -1 */
int sched_node_account(struct sched *s, struct sched_pod *p, int slot);
void sched_node_unaccount(struct sched *s, struct sched_pod *p);
void sched_node_release_if_empty(struct sched *s, int slot);
void sched_node_free(struct sched_node *n);
int sched_node_parse(struct sched *s, struct sched_node *n, const json_t *obj);

/* pod.c */
int sched_res_from_list(struct sched *s, const json_t *list, struct sched_res *r,
			int64_t *pods);
int sched_image_id(struct sched *s, const char *img);
int sched_pod_parse(struct sched *s, struct sched_pod *p, const json_t *obj);
void sched_pod_release(struct sched *s, struct sched_pod *p);
int sched_term_parse(struct sched *s, const json_t *term, struct sched_term *t);
void sched_term_free(struct sched_term *t);
bool sched_term_match(const struct sched *s, const struct sched_term *t,
		      const struct sched_node *n);

/* match.c */
int sched_matcher_get(struct sched *s, const json_t *sel, const json_t *nss,
		      const json_t *ns_sel, int own_ns, bool nil_is_nothing);
int sched_matcher_owner(struct sched *s, const char *uid);
int sched_matcher_and(struct sched *s, const int *ids, int n);
void sched_matcher_put(struct sched *s, int id);
bool sched_matcher_match(const struct sched *s, const struct sched_matcher *m,
			 const struct sched_pod *p);
void sched_matchers_count(struct sched *s, struct sched_pod *p, int delta);
int sched_matchers_grow(struct sched *s, int oldcap, int cap);
void sched_matchers_recount_ns(struct sched *s);
int sched_held_add(struct sched *s, struct sched_pod *p);
void sched_held_remove(struct sched *s, struct sched_pod *p);
void sched_matchers_free(struct sched *s);

/* cycle.c: PreFilter state */
int sched_cycle_init(struct sched *s, struct sched_pod *p);
void sched_cycle_done(struct sched *s);
int sched_dom_new(struct sched *s, int topo, const int *pernode);
void sched_dom_fill(struct sched *s, struct sched_dom *d, const bool *eligible);
int sched_dom_at(const struct sched_dom *d, const struct sched_node *n);
bool sched_node_affinity_ok(const struct sched *s, const struct sched_pod *p,
			    const struct sched_node *n);
bool sched_tolerates(const struct sched_toleration *t, const struct sched_taint *tt);
bool sched_taints_ok(const struct sched_pod *p, const struct sched_node *n,
		     bool prefer, int *which);
int sched_names_prefilter(struct sched *s, const struct sched_pod *p);

/* filter.c */
bool sched_filter(struct sched *s, struct sched_pod *p, int slot, struct sched_status *st);
bool sched_reason_resolvable(int code);
int sched_reasons(const struct sched *s, const struct sched_pod *p, int slot,
		  const struct sched_status *st, char (*out)[160], int max);

/* score.c */
int sched_score(struct sched *s, struct sched_pod *p, const int *nodes, int n,
		int64_t *total);

/* score_topo.c */
int sched_spread_score(struct sched *s, struct sched_pod *p, const int *nodes, int n,
		       int64_t *sc, bool *used);
int sched_ipa_score(struct sched *s, struct sched_pod *p, const int *nodes, int n,
		    int64_t *sc, bool *used);

/* queue.c */
int sched_heap_push(struct sched *s, struct sched_pod *p);
struct sched_pod *sched_heap_pop(struct sched *s);
void sched_heap_remove(struct sched *s, struct sched_pod *p);
int sched_park(struct sched *s, struct sched_pod *p);
void sched_unpark(struct sched *s, struct sched_pod *p);
int sched_unpark_all(struct sched *s, bool affinity_only);
void sched_dequeue(struct sched *s, struct sched_pod *p);

/* feed.c */
int sched_nominate(struct sched *s, struct sched_pod *p, const char *name);
bool sched_drop_pod(struct sched *s, struct sched_pod *p);

/* preempt.c */
int sched_preempt(struct sched *s, struct sched_pod *p, struct sched_decision *d,
		  char **post_msg);
void sched_pdb_free(struct sched_pdb *b);

/* volume.c */
int sched_volume_prefilter(struct sched *s, struct sched_pod *p);
const char *sched_volume_filter(const struct sched *s, const struct sched_node *n);
void sched_volumes_free(struct sched *s);

/* message.c */
char *sched_fit_message(const struct sched *s, const struct sched_pod *p,
			const struct sched_status *st, const char *prefilter, const char *post);

#endif

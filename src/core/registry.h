/*
 * The resource registry: one entry per kind, describing everything the rest
 * of libkube needs to serve it. Adding a kind is adding one entry (and its
 * functions) in registry_table.c; nothing else switches on kind names.
 */
#ifndef KUBE_CORE_REGISTRY_H
#define KUBE_CORE_REGISTRY_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

/* Verbs, as discovery lists them. */
enum kube_verb {
	KUBE_VERB_GET = 1 << 0,
	KUBE_VERB_LIST = 1 << 1,
	KUBE_VERB_WATCH = 1 << 2,
	KUBE_VERB_CREATE = 1 << 3,
	KUBE_VERB_UPDATE = 1 << 4,
	KUBE_VERB_PATCH = 1 << 5,
	KUBE_VERB_DELETE = 1 << 6,
	KUBE_VERB_DELETECOLLECTION = 1 << 7,
};
#define KUBE_VERBS_ALL 0xff

/* Subresources. */
enum kube_subresource {
	KUBE_SUB_STATUS = 1 << 0,   /* status: PUT/PATCH status only */
	KUBE_SUB_SCALE = 1 << 1,    /* scale: autoscaling/v1 Scale */
	KUBE_SUB_BINDING = 1 << 2,  /* pods/binding */
	KUBE_SUB_EVICTION = 1 << 3, /* pods/eviction */
	KUBE_SUB_LOG = 1 << 4,      /* pods/log */
	KUBE_SUB_EXEC = 1 << 5,     /* pods/exec */
	KUBE_SUB_TOKEN = 1 << 6,    /* serviceaccounts/token */
	KUBE_SUB_PROXY = 1 << 7,    /* pods/proxy, services/proxy, nodes/proxy */
	KUBE_SUB_EPHEMERAL = 1 << 8,/* pods/ephemeralcontainers */
	KUBE_SUB_ATTACH = 1 << 9,   /* pods/attach */
	KUBE_SUB_PORTFORWARD = 1 << 10, /* pods/portforward */
};

/* One column of `kubectl get`'s table (a TableColumnDefinition). */
struct kube_column {
	const char *name;        /* as upstream sends it: "Name", "Ready", ... */
	const char *type;        /* "string", "integer", "date", ... */
	const char *format;      /* "name" for the name column, else "" */
	const char *description; /* shown by nothing, sent for fidelity */
	int priority;            /* 0 always shown, 1 only with -o wide */
};

struct kube_kind;

/*
 * Append to @p cells (a JSON array) the table cells of @p obj, one per
 * column (priority 1 ones included: the API server always prints wide), in
 * the form the upstream printers produce: "1/1", "Running", ages as
 * HumanDuration text ("5m12s") computed against @p now_ms, the cluster clock;
 * only the default table's "Created At" column (type "date") carries the
 * RFC3339 creationTimestamp. Returns 0 or a negative KUBE_E* code.
 */
typedef int (*kube_row_fn)(const json_t *obj, int64_t now_ms, json_t *cells);

/* Set the kind's defaults on @p obj in place (the defaulting Kubernetes
 * applies before validation, e.g. Pod restartPolicy Always). */
typedef void (*kube_defaults_fn)(json_t *obj);

/*
 * Kind-specific validation beyond the schema: append a cause to @p causes
 * (see status.h) for each bad field. @p old is the stored object on update,
 * NULL on create.
 */
typedef void (*kube_validate_fn)(const json_t *obj, const json_t *old, json_t *causes);

struct kube_kind {
	const char *group;      /* "" for the core group, "apps", ... */
	const char *version;    /* "v1" */
	const char *kind;       /* "Deployment" */
	const char *plural;     /* "deployments": the resource name */
	const char *singular;   /* "deployment" */
	const char *const *short_names; /* NULL-terminated, may be NULL */
	const char *const *categories;  /* NULL-terminated, may be NULL ("all") */
	bool namespaced;        /* objects live in a namespace */
	unsigned verbs;         /* enum kube_verb bits */
	unsigned subresources;  /* enum kube_subresource bits */
	const char *schema;     /* OpenAPI definition, "io.k8s.api.apps.v1.Deployment" */
	const struct kube_column *columns; /* table columns (Event's start with "Last Seen") */
	int ncolumns;           /* entries in columns */
	kube_row_fn row;        /* cells for the columns above */
	kube_defaults_fn defaults;  /* may be NULL */
	kube_validate_fn validate;  /* may be NULL */
	bool spec_generation;   /* metadata.generation counts spec changes (kinds with a spec) */
};

/*
 * Kind-specific behaviour lives in src/core/kinds/ and is attached to the
 * registry by one table, kube__kind_hooks[] (terminated by an entry with
 * kind NULL), matched on group and kind when the registry is first used.
 */
struct kube_kind_hooks {
	const char *group;          /* "" for core */
	const char *kind;           /* "Pod" */
	kube_defaults_fn defaults;  /* may be NULL */
	kube_validate_fn validate;  /* may be NULL */
};
extern const struct kube_kind_hooks kube__kind_hooks[];

/* "apps/v1" or "v1" for the core group, written into buf (>= 64 bytes). */
const char *kube__kind_api_version(const struct kube_kind *k, char *buf, size_t len);

/*
 * Find a kind by any name kubectl accepts: plural, singular, Kind, short
 * name, each optionally qualified as NAME.GROUP ("deployments.apps") or
 * NAME.VERSION.GROUP. Case-insensitive for Kind. NULL when unknown.
 */
const struct kube_kind *kube__registry_find(const char *name);

/* Find by apiVersion ("apps/v1", "v1") and kind; NULL when unknown. */
const struct kube_kind *kube__registry_by_gvk(const char *api_version, const char *kind);

/* Find by group, version and plural resource; NULL when unknown. */
const struct kube_kind *kube__registry_by_gvr(const char *group, const char *version,
					      const char *plural);

/* Iterate: the number of kinds and the i-th (0 <= i < count). */
int kube__registry_count(void);
const struct kube_kind *kube__registry_at(int i);

/* An API group's priority (DefaultGenericAPIServicePriorities plus the
 * kube-apiserver's additions, the core group "" highest): discovery lists
 * groups in this order and an ambiguous resource name goes to the higher
 * one. 0 for a group not in upstream's table. */
int kube__group_priority(const char *group);

/* "deployments.apps" or "pods": how upstream names the resource in messages. */
const char *kube__kind_qualified(const struct kube_kind *k, char *buf, size_t len);

#endif

/*
 * Table printers: the columns `kubectl get` shows for each kind and the
 * functions computing a row, as upstream's pkg/printers/internalversion
 * (printers.go) defines them. The API server always prints with Wide set,
 * so every row carries a cell for every column, priority 1 ones included.
 *
 * Columns are upstream's exactly: names as sent on the wire ("Name",
 * "Cluster-IP"; kubectl upper-cases them), types, priorities and the
 * descriptions upstream takes from the API's field documentation.
 */
#ifndef KUBE_CORE_PRINTERS_PRINTERS_H
#define KUBE_CORE_PRINTERS_PRINTERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "core/jsonutil.h"
#include "core/registry.h"

/* One kind's table: its columns and the function filling a row. */
struct kube_printer {
	const struct kube_column *columns; /* NAME-like column first */
	int ncolumns;                      /* entries in columns */
	kube_row_fn row;                   /* one cell per column */
};

#define KUBE_PRINTER(cols, fn) { (cols), (int)(sizeof(cols) / sizeof((cols)[0])), (fn) }

/* The printers, one per upstream table handler (see the files beside this one). */
extern const struct kube_printer kube__printer_pod, kube__printer_node,
	kube__printer_namespace, kube__printer_service, kube__printer_endpoints,
	kube__printer_configmap, kube__printer_secret, kube__printer_serviceaccount,
	kube__printer_event, kube__printer_event_v1, kube__printer_pv, kube__printer_pvc,
	kube__printer_resourcequota, kube__printer_rc, kube__printer_deployment,
	kube__printer_replicaset, kube__printer_statefulset, kube__printer_daemonset,
	kube__printer_controllerrevision, kube__printer_job, kube__printer_cronjob,
	kube__printer_ingress, kube__printer_ingressclass, kube__printer_networkpolicy,
	kube__printer_endpointslice, kube__printer_storageclass, kube__printer_rolebinding,
	kube__printer_clusterrolebinding, kube__printer_lease, kube__printer_priorityclass,
	kube__printer_pdb;

/* The API server's default table (rest.DefaultTableConvertor) for kinds
 * without a printer: "Name" and "Created At" (type date, RFC3339 UTC). */
extern const struct kube_printer kube__printer_default;

/*
 * The registry's table (registry_table.c), read by registry.c: each kind
 * with the printer its columns and row function come from. registry.c fills
 * kind.columns/ncolumns/row and the hooks once, before the first lookup.
 */
struct kube_kind_entry {
	struct kube_kind kind;              /* what lookups return */
	const struct kube_printer *printer; /* never NULL */
};
extern struct kube_kind_entry kube__registry_table[];
extern const int kube__registry_table_len;

/* ---- time ------------------------------------------------------------- */

/* A parsed timestamp that is absent: Go's zero time. */
#define KUBE_TIME_ZERO INT64_MIN

/*
 * Milliseconds since the epoch of an RFC3339 timestamp ("2024-05-01T10:00:00Z",
 * with optional fraction and numeric offset), or KUBE_TIME_ZERO for NULL,
 * empty or unparseable text (what a zero metav1.Time decodes from).
 */
int64_t kube__parse_time(const char *s);

/*
 * Upstream's duration.HumanDuration of @p ms milliseconds, written into
 * @p buf (>= 32 bytes): "0s".."119s", "2m1s".."9m59s", "10m".."179m",
 * "3h1m".."7h59m", "8h".."47h", "2d1h".."7d23h", "8d".."729d", "2y1d",
 * "8y"; "<invalid>" below -1s. Returns buf.
 */
const char *kube__human_duration(int64_t ms, char *buf, size_t len);

/* translateTimestampSince: the age of timestamp text @p ts at @p now_ms,
 * "<unknown>" when ts is absent. Returns buf (>= 32 bytes). */
const char *kube__age(const char *ts, int64_t now_ms, char *buf, size_t len);

/* ---- building strings ---------------------------------------------------- */

/* A growable string. Starts zeroed; a failed allocation sets failed and
 * makes every later call a no-op, checked once by kube__sb_cell. */
struct kube_sb {
	char *s;     /* NUL-terminated text, NULL until something is written */
	size_t len;  /* bytes used, without the NUL */
	size_t cap;  /* bytes allocated */
	bool failed; /* an allocation failed */
};

/* Append @p s / formatted text. On allocation failure sb->failed is set and
 * the text is dropped; nothing is returned. */
void kube__sb_puts(struct kube_sb *sb, const char *s);
void kube__sb_printf(struct kube_sb *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The text so far ("" when empty); valid until the next write. */
const char *kube__sb_str(const struct kube_sb *sb);
void kube__sb_free(struct kube_sb *sb);

/* Append the builder's text to @p cells as a string and free the builder;
 * -1 when it or the append failed. */
int kube__sb_cell(json_t *cells, struct kube_sb *sb);

/* ---- cells ------------------------------------------------------------- */

/* Append one cell; -1 on allocation failure. A NULL string is "". */
int kube__cell_str(json_t *cells, const char *s);
int kube__cell_int(json_t *cells, json_int_t v);
int kube__cell_bool(json_t *cells, bool v);
/* The object's metadata.name, and its age (translateTimestampSince). */
int kube__cell_name(json_t *cells, const json_t *obj);
int kube__cell_age(json_t *cells, const json_t *obj, int64_t now_ms);

/* The row functions' common ending: 0, or KUBE_ENOMEM when any append failed. */
int kube__cells_done(int failed);

/* ---- upstream formatting helpers ------------------------------------------ */

/* labels.FormatLabels: "k1=v1,k2=v2" sorted by key, "<none>" when empty. */
void kube__format_labels(struct kube_sb *sb, const json_t *labels);

/*
 * A metav1.LabelSelector as labels.Selector.String() writes it: requirements
 * sorted by key, "k=v", "k in (a,b)", "k notin (a)", "k", "!k". Writes
 * nothing for a NULL or empty selector. Returns -1 (writing nothing) for a
 * selector LabelSelectorAsSelector rejects.
 */
int kube__format_selector(struct kube_sb *sb, const json_t *sel);

/* metav1.FormatLabelSelector: as above, "<none>" when empty, "<error>" when invalid. */
void kube__format_label_selector(struct kube_sb *sb, const json_t *sel);

/* Append @p sel as kube__format_label_selector writes it to @p cells; -1 on failure. */
int kube__cell_selector(json_t *cells, const json_t *sel);

/* layoutContainerCells: container names and images, comma separated, as two cells. */
int kube__cells_containers(json_t *cells, const json_t *containers);

/* The value of IntOrString as its String(): "3" or "50%"; NULL when absent. */
const char *kube__int_or_string(const json_t *v, char *buf, size_t len);

#endif

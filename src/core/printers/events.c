/*
 * The Event table from upstream's printers.go. events.k8s.io/v1 Events are
 * the same objects served under other field names (upstream converts both
 * to one internal Event before printing), so one row function reads either
 * through a table of field names.
 */
#include <ctype.h>
#include <string.h>
#include "core/printers/printers.h"
#include "core/printers/docs.h"

static const struct kube_column event_columns[] = {
	{ "Last Seen", "string", "", KUBE_DOC_EV_LAST, 0 },
	{ "Type", "string", "", KUBE_DOC_EV_TYPE, 0 },
	{ "Reason", "string", "", KUBE_DOC_EV_REASON, 0 },
	{ "Object", "string", "", KUBE_DOC_EV_OBJECT, 0 },
	{ "Subobject", "string", "", KUBE_DOC_EV_FIELDPATH, 1 },
	{ "Source", "string", "", KUBE_DOC_EV_SOURCE, 1 },
	{ "Message", "string", "", KUBE_DOC_EV_MESSAGE, 0 },
	{ "First Seen", "string", "", KUBE_DOC_EV_FIRST, 1 },
	{ "Count", "string", "", KUBE_DOC_EV_COUNT, 1 },
	{ "Name", "string", "name", KUBE_DOC_META_NAME, 1 },
};

/* Where each internal Event field lives in one API version's JSON. */
struct event_fields {
	const char *object;     /* involvedObject / regarding */
	const char *message;    /* message / note */
	const char *source;     /* source / deprecatedSource */
	const char *first;      /* firstTimestamp / deprecatedFirstTimestamp */
	const char *last;       /* lastTimestamp / deprecatedLastTimestamp */
	const char *count;      /* count / deprecatedCount */
	const char *controller; /* reportingComponent / reportingController */
};

static const struct event_fields core_fields = {
	"involvedObject", "message", "source", "firstTimestamp", "lastTimestamp", "count",
	"reportingComponent",
};

static const struct event_fields v1_fields = {
	"regarding", "note", "deprecatedSource", "deprecatedFirstTimestamp",
	"deprecatedLastTimestamp", "deprecatedCount", "reportingController",
};

/* "kind/name" with the kind lower-cased, or the kind alone without a name. */
static int target_cell(json_t *cells, const json_t *ref)
{
	struct kube_sb sb = { 0 };
	const char *name = kube__jstr0(ref, "name");

	for (const char *k = kube__jstr0(ref, "kind"); *k; k++)
		kube__sb_printf(&sb, "%c", tolower((unsigned char)*k));
	if (*name)
		kube__sb_printf(&sb, "/%s", name);
	return kube__sb_cell(cells, &sb);
}

/* formatEventSource: component (else reporting controller), then ", host"
 * (else reporting instance) when there is one. */
static int source_cell(json_t *cells, const json_t *ev, const struct event_fields *f)
{
	const json_t *src = kube__jget(ev, f->source);
	const char *component = kube__jstr0(src, "component"), *host = kube__jstr0(src, "host");
	struct kube_sb sb = { 0 };

	if (!*component)
		component = kube__jstr0(ev, f->controller);
	if (!*host)
		host = kube__jstr0(ev, "reportingInstance");
	kube__sb_puts(&sb, component);
	if (*host)
		kube__sb_printf(&sb, ", %s", host);
	return kube__sb_cell(cells, &sb);
}

/* strings.TrimSpace of the message. */
static int message_cell(json_t *cells, const char *msg)
{
	size_t n;

	while (isspace((unsigned char)*msg))
		msg++;
	n = strlen(msg);
	while (n && isspace((unsigned char)msg[n - 1]))
		n--;
	return json_array_append_new(cells, json_stringn(msg, n));
}

static int event_row_as(const json_t *ev, int64_t now_ms, json_t *cells, const struct event_fields *f)
{
	const json_t *series = kube__jget(ev, "series");
	char first[32], last[32];
	json_int_t count = kube__jint(ev, f->count, 0);
	int failed;

	kube__age(kube__jstr(ev, f->first), now_ms, first, sizeof(first));
	if (kube__parse_time(kube__jstr(ev, f->first)) == KUBE_TIME_ZERO)
		kube__age(kube__jstr(ev, "eventTime"), now_ms, first, sizeof(first));
	kube__age(kube__jstr(ev, f->last), now_ms, last, sizeof(last));
	if (kube__parse_time(kube__jstr(ev, f->last)) == KUBE_TIME_ZERO)
		memcpy(last, first, sizeof(last));
	if (series) {
		kube__age(kube__jstr(series, "lastObservedTime"), now_ms, last, sizeof(last));
		count = kube__jint(series, "count", 0);
	} else if (count == 0) {
		count = 1; /* singleton events of the new API have no count */
	}
	failed = kube__cell_str(cells, last);
	failed |= kube__cell_str(cells, kube__jstr(ev, "type"));
	failed |= kube__cell_str(cells, kube__jstr(ev, "reason"));
	failed |= target_cell(cells, kube__jget(ev, f->object));
	failed |= kube__cell_str(cells, kube__jstr(kube__jget(ev, f->object), "fieldPath"));
	failed |= source_cell(cells, ev, f);
	failed |= message_cell(cells, kube__jstr0(ev, f->message));
	failed |= kube__cell_str(cells, first);
	failed |= kube__cell_int(cells, count);
	failed |= kube__cell_name(cells, ev);
	return kube__cells_done(failed);
}

static int event_row(const json_t *ev, int64_t now_ms, json_t *cells)
{
	return event_row_as(ev, now_ms, cells, &core_fields);
}

static int event_v1_row(const json_t *ev, int64_t now_ms, json_t *cells)
{
	return event_row_as(ev, now_ms, cells, &v1_fields);
}

const struct kube_printer kube__printer_event = KUBE_PRINTER(event_columns, event_row);
const struct kube_printer kube__printer_event_v1 = KUBE_PRINTER(event_columns, event_v1_row);

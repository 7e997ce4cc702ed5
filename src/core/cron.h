/*
 * Cron schedules as the CronJob API and controller use them: robfig/cron
 * v3's ParseStandard (five fields, a @descriptor or "@every <duration>",
 * optionally prefixed by TZ=<zone> or CRON_TZ=<zone>) with its error texts,
 * and its SpecSchedule.Next / ConstantDelaySchedule.Next.
 * Validation (kinds/batch.c) and the CronJob controller share this parser.
 */
#ifndef KUBE_CORE_CRON_H
#define KUBE_CORE_CRON_H

#include <stddef.h>
#include <stdint.h>

struct kube_tz;

/* A parsed schedule. Bit n of a field set means value n matches; bit 63
 * marks a field given as "*" or "?" (robfig's starBit, for day matching). */
struct kube_cron {
	uint64_t second, minute, hour, dom, month, dow; /* the six fields */
	int64_t every_ms;       /* "@every": the constant delay (whole seconds); else 0 */
	struct kube_tz *tz;     /* TZ= zone (owned), or NULL for UTC */
};

/*
 * Parse @p spec into @p out. Returns NULL, or the parser's error text
 * written into @p buf (and @p out holds nothing to release).
 * Release a parsed schedule with kube__cron_release().
 */
const char *kube__cron_parse(const char *spec, struct kube_cron *out, char *buf, size_t len);

/* Free what a parsed schedule holds. */
void kube__cron_release(struct kube_cron *s);

/*
 * Use zone @p tz (stolen; may be NULL for UTC) for a schedule parsed
 * without TZ=, as the controller's "TZ=<spec.timeZone> " prefix does.
 */
void kube__cron_set_zone(struct kube_cron *s, struct kube_tz *tz);

/*
 * The first activation strictly after @p after_ms (ms since the epoch;
 * results are whole seconds), or 0 when none falls within five years.
 */
int64_t kube__cron_next(const struct kube_cron *s, int64_t after_ms);

/* Validation: NULL when @p spec parses, else the error text in @p buf. */
const char *kube__cron_check(const char *spec, char *buf, size_t len);

#endif

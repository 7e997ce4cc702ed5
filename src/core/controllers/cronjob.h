/*
 * The CronJob controller's schedule arithmetic (cronjob_time.c), as
 * upstream's pkg/controller/cronjob/utils.go, shared with cronjob.c.
 */
#ifndef KUBE_CORE_CONTROLLERS_CRONJOB_H
#define KUBE_CORE_CONTROLLERS_CRONJOB_H

#include <stdint.h>
#include <jansson.h>
#include "core/cron.h"

#define CRONJOB_COMPONENT "cronjob-controller"
#define CRONJOB_NEXT_DELTA_MS 100   /* nextScheduleDelta */

enum cj_missed { CJ_NONE_MISSED, CJ_FEW_MISSED, CJ_MANY_MISSED };

/*
 * mostRecentScheduleTime: the schedule time (ms) most recently due at
 * @p now_ms since the last schedule (or creation), 0 when none; with
 * @p with_deadline, startingDeadlineSeconds moves the start forward.
 * *earliest gets the start, *missed how many were due. Returns -1 when
 * two consecutive activations are less than a second apart, else 0.
 */
int kube__cj_most_recent(const json_t *cj, int64_t now_ms, const struct kube_cron *s,
			 bool with_deadline, int64_t *earliest, int64_t *most_recent,
			 enum cj_missed *missed);

/* nextScheduleTimeDuration: ms from @p now_ms until the CronJob should sync again. */
int64_t kube__cj_next_delay(const json_t *cj, int64_t now_ms, const struct kube_cron *s);

/* RFC 3339 of @p ms in zone @p tz (NULL: UTC, "Z"), as Go's time.RFC3339. */
void kube__cj_rfc3339_in(const struct kube_tz *tz, int64_t ms, char *buf, size_t len);

/* RFC 1123 with numeric zone, in UTC ("Mon, 06 May 2024 10:00:00 +0000"). */
void kube__cj_rfc1123z(int64_t ms, char *buf, size_t len);

#endif

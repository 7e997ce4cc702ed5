/*
 * resource.Quantity: "100m", "0.1", "512Mi", "1G", "1e3", compared exactly.
 */
#ifndef KUBE_CORE_QUANTITY_H
#define KUBE_CORE_QUANTITY_H

#include <stdbool.h>
#include <stdint.h>

/* A parsed quantity. Upstream rounds every value up to a multiple of 10^-9
 * (the nano suffix), so value = num * 10^scale exactly with scale fixed at
 * -9. Values beyond what upstream's int64 paths reach saturate at +-10^36
 * nano; BinarySI values are capped at 2^63-1 as upstream caps them. */
struct kube_quantity {
	int64_t milli;   /* the value in thousandths (rounded up, as upstream's MilliValue) */
	__int128 num;    /* the value in units of 10^scale */
	int scale;       /* always -9 */
	char format;     /* 'B' BinarySI (Ki, Mi..), 'D' DecimalSI (k, M, m..), 'E' DecimalExponent (e3) */
};

/* Parse; returns 0, or -1 for text upstream rejects (the API server's
 * message is "quantities must match the regular expression
 * '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"). */
int kube__quantity_parse(const char *s, struct kube_quantity *q);

/* -1, 0 or 1 as a < b, a == b, a > b, exactly. */
int kube__quantity_cmp(const struct kube_quantity *a, const struct kube_quantity *b);

/* The value in whole units rounded up (Value()), and thousandths rounded up (MilliValue()). */
int64_t kube__quantity_value(const struct kube_quantity *q);
int64_t kube__quantity_milli(const struct kube_quantity *q);

/* Sum / difference, exact. */
void kube__quantity_add(struct kube_quantity *a, const struct kube_quantity *b);
void kube__quantity_sub(struct kube_quantity *a, const struct kube_quantity *b);

/* Canonical string as upstream's Quantity.String() ("1500m", "1536Mi", "1k"); buf >= 64. */
const char *kube__quantity_format(const struct kube_quantity *q, char *buf, size_t len);

#endif

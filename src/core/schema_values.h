/*
 * Scalar formats the API server's decoder checks while it unmarshals:
 * metav1.Time (RFC 3339), []byte (base64) and resource.Quantity. Private to
 * the schema checker; each returns NULL when @p s is valid, else the Go
 * decoder's error text (in @p buf or a static string).
 */
#ifndef KUBE_CORE_SCHEMA_VALUES_H
#define KUBE_CORE_SCHEMA_VALUES_H

#include <stddef.h>

/* time.Parse(time.RFC3339, s): e.g. `parsing time "x" as
 * "2006-01-02T15:04:05Z07:00": cannot parse "x" as "2006"`. */
const char *kube__check_rfc3339(const char *s, char *buf, size_t len);

/* base64.StdEncoding: "illegal base64 data at input byte 4". */
const char *kube__check_base64(const char *s, char *buf, size_t len);

/* resource.ParseQuantity: "quantities must match the regular expression
 * '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'" and its siblings. */
const char *kube__check_quantity(const char *s);

#endif

/*
 * Private to the codec: YAML 1.1 scalar resolution as go-yaml v2 does it
 * (sigs.k8s.io/yaml), shared by the parser and the emitter, and Go's float
 * formatting, shared by the YAML and JSON emitters.
 */
#ifndef KUBE_CORE_CODEC_INT_H
#define KUBE_CORE_CODEC_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a plain scalar resolves to. */
enum codec_type {
	CODEC_STR,       /* anything else */
	CODEC_NULL,      /* "", ~, null, Null, NULL */
	CODEC_BOOL,      /* y/yes/true/on, n/no/false/off and their capitalisations */
	CODEC_INT,       /* fits int64: decimal, 0x, 0o, 0b, leading-0 octal, underscores */
	CODEC_UINT,      /* 2^63 .. 2^64-1 (go-yaml gives uint64) */
	CODEC_FLOAT,     /* [-+]?(.d+|d+(.d*)?)([eE][-+]?d+)?, .inf, .nan */
	CODEC_TIMESTAMP, /* 2001-12-14, 2001-12-14T21:59:43Z ...: kept as a string */
};

struct codec_scalar {
	enum codec_type type; /* the resolved type */
	bool b;               /* CODEC_BOOL */
	int64_t i;            /* CODEC_INT */
	uint64_t u;           /* CODEC_UINT */
	double f;             /* CODEC_FLOAT */
};

/* Resolve the plain (unquoted, untagged) scalar @p s of @p len bytes. */
void codec_resolve_plain(const char *s, size_t len, struct codec_scalar *r);

/* True when @p s may be written as a plain scalar without changing type:
 * it resolves to a string and is not a YAML 1.1 base-60 float ("1:20"). */
bool codec_plain_is_str(const char *s, size_t len);

/*
 * Go's strconv.FormatFloat(f, fmt, -1, bits) for fmt 'e', 'f' or 'g'
 * (shortest representation that round-trips at 32 or 64 bits). @p buf
 * must hold 40 bytes. Infinities and NaN print as "+Inf", "-Inf", "NaN".
 */
void codec_format_float(double f, char fmt, int bits, char *buf);

#endif

/*
 * The layout of the schema tables tools/schemagen writes (build/gen/
 * schema_table.c) and src/core/schema.c reads. Private to those two: the
 * rest of libkube goes through core/schema.h.
 *
 * Every schema node is one entry of kube__schema_nodes[]. The first
 * kube__schema_ndefs entries are the OpenAPI definitions, sorted by name
 * (so kube__schema_find is a binary search); the rest are inline schemas of
 * properties, array items and map values, shared when identical. Strings
 * live once in kube__schema_strings and are referred to by offset; offset 0
 * is "".
 */
#ifndef KUBE_CORE_SCHEMA_TABLE_H
#define KUBE_CORE_SCHEMA_TABLE_H

#include <stdint.h>

/* The OpenAPI "format" of a node, as the decoder's Go type needs it. */
enum kube_schema_format {
	KUBE_SCHEMA_FMT_NONE = 0,
	KUBE_SCHEMA_FMT_INT32,
	KUBE_SCHEMA_FMT_INT64,
	KUBE_SCHEMA_FMT_DATE_TIME,
	KUBE_SCHEMA_FMT_BYTE,     /* base64 string, a Go []byte */
	KUBE_SCHEMA_FMT_DOUBLE,
};

/* Node flags. */
#define KUBE_SCHEMA_F_PRESERVE_UNKNOWN 0x1 /* x-kubernetes-preserve-unknown-fields */
#define KUBE_SCHEMA_F_INT_OR_STRING 0x2    /* x-kubernetes-int-or-string */

struct kube_schema {
	uint8_t type;        /* enum kube_schema_type, resolved through ref */
	uint8_t format;      /* enum kube_schema_format */
	uint8_t flags;       /* KUBE_SCHEMA_F_* */
	int32_t ref;         /* definition (node index) this node refers to, or -1 */
	int32_t items;       /* ARRAY/MAP element node, or -1 */
	uint32_t name;       /* definitions: their OpenAPI name; else 0 */
	uint32_t merge_key;  /* x-kubernetes-patch-merge-key */
	uint32_t strategy;   /* x-kubernetes-patch-strategy */
	uint32_t list_type;  /* x-kubernetes-list-type */
	int32_t map_keys;    /* first of a NULL-terminated run in kube__schema_keys, or -1 */
	uint32_t props;      /* first property in kube__schema_props */
	uint32_t nprops;     /* number of properties (sorted by name) */
	uint32_t required;   /* first entry in kube__schema_required */
	uint32_t nrequired;  /* number of required property names */
};

/* One property of an OBJECT node. */
struct kube_schema_prop {
	uint32_t name;       /* string offset */
	int32_t node;        /* its schema */
};

extern const char kube__schema_strings[];
extern const struct kube_schema kube__schema_nodes[];
extern const int kube__schema_ndefs;
extern const struct kube_schema_prop kube__schema_props[];
extern const uint32_t kube__schema_required[];
extern const char *const kube__schema_keys[];

#endif

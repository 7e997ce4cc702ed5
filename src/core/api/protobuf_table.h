/*
 * The layout of the protobuf message tables tools/protogen writes
 * (build/gen/protobuf_table.c) from the upstream generated.proto files and
 * src/core/api/protobuf.c reads. Private to those two: the rest of libkube
 * goes through core/api/protobuf.h.
 *
 * kube__proto_msgs[] holds every message type, sorted by full proto name
 * ("k8s.io.api.core.v1.ConfigMap") so a lookup is a binary search. Each
 * message owns a run of kube__proto_fields[], sorted by field number.
 */
#ifndef KUBE_CORE_API_PROTOBUF_TABLE_H
#define KUBE_CORE_API_PROTOBUF_TABLE_H

#include <stdint.h>

/* How a message maps to JSON: most are objects; a few Kubernetes types have
 * custom JSON forms (their MarshalJSON in Go). */
enum kube_proto_kind {
	KUBE_PROTO_OBJECT = 0,   /* a JSON object of its fields */
	KUBE_PROTO_MAP_ENTRY,    /* key = 1, value = 2 of a map<,> field */
	KUBE_PROTO_INT_OR_STRING,/* intstr.IntOrString: a JSON int or string */
	KUBE_PROTO_QUANTITY,     /* resource.Quantity: its string */
	KUBE_PROTO_TIME,         /* meta.v1.Time: RFC 3339 seconds, or null */
	KUBE_PROTO_MICRO_TIME,   /* meta.v1.MicroTime: RFC 3339 microseconds, or null */
	KUBE_PROTO_RAW_JSON,     /* RawExtension, FieldsV1: field 1 holds JSON text */
	KUBE_PROTO_ITEMS,        /* a slice type wrapped for protobuf (ExtraValue):
				  * the JSON array of its one repeated field */
};

/* Field types, numbered as google.protobuf.FieldDescriptorProto.Type. */
enum kube_proto_type {
	KUBE_PROTO_DOUBLE = 1, KUBE_PROTO_FLOAT = 2, KUBE_PROTO_INT64 = 3,
	KUBE_PROTO_UINT64 = 4, KUBE_PROTO_INT32 = 5, KUBE_PROTO_FIXED64 = 6,
	KUBE_PROTO_FIXED32 = 7, KUBE_PROTO_BOOL = 8, KUBE_PROTO_STRING = 9,
	KUBE_PROTO_GROUP = 10, KUBE_PROTO_MESSAGE = 11, KUBE_PROTO_BYTES = 12,
	KUBE_PROTO_UINT32 = 13, KUBE_PROTO_ENUM = 14, KUBE_PROTO_SFIXED32 = 15,
	KUBE_PROTO_SFIXED64 = 16, KUBE_PROTO_SINT32 = 17, KUBE_PROTO_SINT64 = 18,
};

/* Field flags. */
#define KUBE_PROTO_F_REPEATED 0x1  /* repeated (or map) field */
#define KUBE_PROTO_F_KEEP_ZERO 0x2 /* a zero value stays in the JSON: the Go
				    * field is a pointer, or has no omitempty
				    * (required in the OpenAPI schema) */
#define KUBE_PROTO_F_INLINE 0x4    /* an embedded Go struct (`json:",inline"`):
				    * its fields go into the parent's JSON */

struct kube_proto_field {
	const char *name;    /* JSON name */
	const char *proto;   /* proto name: the Go field name, first letter lowered */
	uint32_t number;     /* field number */
	uint8_t type;        /* enum kube_proto_type */
	uint8_t flags;       /* KUBE_PROTO_F_* */
	int16_t msg;         /* MESSAGE: index in kube__proto_msgs[]; else -1 */
};

struct kube_proto_msg {
	const char *name;    /* full proto name, without the leading dot */
	uint32_t fields;     /* first field in kube__proto_fields[] */
	uint16_t nfields;    /* number of fields */
	uint8_t kind;        /* enum kube_proto_kind */
	uint8_t api;         /* 1 if a top-level API object (has ObjectMeta metadata) */
};

extern const struct kube_proto_msg kube__proto_msgs[];
extern const int kube__proto_nmsgs;
extern const struct kube_proto_field kube__proto_fields[];

#endif

/*
 * Protobuf request bodies to JSON: every kind kubectl 1.32 creates with a
 * protobuf body, compared with the JSON kubectl would send for the same
 * object (fixtures in data/proto, made by make-fixtures.py from text-format
 * objects), and the decoder's errors with upstream's texts.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/api/protobuf.h"
#include "../../testutil.h"

#define DATA KUBE_SOURCE_DIR "/tests/unit/core/api/data/proto/"

static void check_fixture(const char *name)
{
	char path[512];
	json_error_t err;
	json_t *want, *got, *st = NULL;
	uint8_t *body;
	size_t len;

	snprintf(path, sizeof(path), DATA "%s.json", name);
	want = json_load_file(path, 0, &err);
	cr_assert_not_null(want, "%s: %s", path, err.text);
	snprintf(path, sizeof(path), DATA "%s.pb", name);
	body = (uint8_t *)tu_read_file(path, &len);
	got = kube__proto_decode(body, len, &st);
	if (!got) {
		char *s = json_dumps(st, 0);
		cr_assert_fail("%s: %s", name, s);
	}
	if (!json_equal(got, want)) {
		char *g = json_dumps(got, JSON_SORT_KEYS), *w = json_dumps(want, JSON_SORT_KEYS);
		cr_assert_fail("%s:\n got %s\nwant %s", name, g, w);
	}
	json_decref(got);
	json_decref(want);
	free(body);
}

Test(proto_kinds, namespace) { check_fixture("namespace"); }
Test(proto_kinds, configmap) { check_fixture("configmap"); }
Test(proto_kinds, secret_bytes) { check_fixture("secret"); }
Test(proto_kinds, serviceaccount) { check_fixture("serviceaccount"); }
Test(proto_kinds, deployment) { check_fixture("deployment"); }
Test(proto_kinds, rolebinding) { check_fixture("rolebinding"); }
Test(proto_kinds, clusterrolebinding) { check_fixture("clusterrolebinding"); }
Test(proto_kinds, role) { check_fixture("role"); }
Test(proto_kinds, clusterrole) { check_fixture("clusterrole"); }
Test(proto_kinds, service) { check_fixture("service"); }
Test(proto_kinds, job) { check_fixture("job"); }
Test(proto_kinds, cronjob) { check_fixture("cronjob"); }
Test(proto_kinds, token_request) { check_fixture("token"); }
Test(proto_kinds, resourcequota) { check_fixture("quota"); }
Test(proto_kinds, priorityclass) { check_fixture("priorityclass"); }
Test(proto_kinds, poddisruptionbudget) { check_fixture("pdb"); }
Test(proto_kinds, poddisruptionbudget_percent) { check_fixture("pdb-percent"); }
Test(proto_kinds, ingress) { check_fixture("ingress"); }
Test(proto_types, micro_time_lease) { check_fixture("lease"); }
Test(proto_types, raw_extension) { check_fixture("controllerrevision"); }
Test(proto_types, extra_value_map) { check_fixture("tokenreview"); }

/* --- bodies built by hand ------------------------------------------------------- */

struct buf {
	uint8_t b[4096];
	size_t n;
};

static void put_varint(struct buf *b, uint64_t v)
{
	do {
		b->b[b->n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
}

static void put_bytes(struct buf *b, uint32_t num, const void *p, size_t n)
{
	put_varint(b, num << 3 | 2);
	put_varint(b, n);
	memcpy(b->b + b->n, p, n);
	b->n += n;
}

/* "k8s\0" + Unknown{typeMeta{av, kind}, raw}, as kubectl writes it. */
static struct buf body(const char *av, const char *kind, const void *raw, size_t n)
{
	struct buf tm = { .n = 0 }, out = { .n = 0 };

	put_bytes(&tm, 1, av, strlen(av));
	put_bytes(&tm, 2, kind, strlen(kind));
	memcpy(out.b, "k8s", 4);
	out.n = 4;
	put_bytes(&out, 1, tm.b, tm.n);
	put_bytes(&out, 2, raw, n);
	put_bytes(&out, 3, "", 0);
	put_bytes(&out, 4, "", 0);
	return out;
}

static json_t *decode_ok(const struct buf *b)
{
	json_t *st = NULL, *obj = kube__proto_decode(b->b, b->n, &st);

	cr_assert_not_null(obj, "%s", json_string_value(json_object_get(st, "message")));
	return obj;
}

static void expect_json(json_t *got, const char *want_text)
{
	json_t *want = json_loads(want_text, 0, NULL);

	cr_assert_not_null(want);
	if (!json_equal(got, want))
		cr_assert_fail("got %s\nwant %s", json_dumps(got, JSON_SORT_KEYS), want_text);
	json_decref(want);
	json_decref(got);
}

/* Decoding fails with a 400 BadRequest whose message is @p msg. */
static void expect_error(const void *p, size_t n, const char *av, const char *kind,
			 const char *msg)
{
	json_t *st = NULL, *obj = kube__proto_decode_as(p, n, av, kind, &st);

	cr_assert_null(obj, "decoded %s", json_dumps(obj, 0));
	cr_assert_not_null(st);
	cr_assert_eq(json_integer_value(json_object_get(st, "code")), 400);
	cr_assert_str_eq(json_string_value(json_object_get(st, "reason")), "BadRequest");
	cr_assert_str_eq(json_string_value(json_object_get(st, "message")), msg);
	json_decref(st);
}

Test(proto_wire, packed_repeated_scalars)
{
	static const uint8_t raw[] = { 0x12, 8, 0x72, 6, 0x22, 4, 1, 2, 0xac, 0x02 };
	struct buf b = body("v1", "Pod", raw, sizeof(raw));

	expect_json(decode_ok(&b), "{\"kind\":\"Pod\",\"apiVersion\":\"v1\","
		    "\"spec\":{\"securityContext\":{\"supplementalGroups\":[1,2,300]}}}");
}

Test(proto_wire, unpacked_repeated_scalars)
{
	static const uint8_t raw[] = { 0x12, 7, 0x72, 5, 0x20, 7, 0x20, 0xac, 0x02 };
	struct buf b = body("v1", "Pod", raw, sizeof(raw));

	expect_json(decode_ok(&b), "{\"kind\":\"Pod\",\"apiVersion\":\"v1\","
		    "\"spec\":{\"securityContext\":{\"supplementalGroups\":[7,300]}}}");
}

Test(proto_wire, invalid_utf8_becomes_replacement_character)
{
	static const uint8_t raw[] = { 0x12, 8, 0x0a, 1, 'k', 0x12, 3, 'a', 0xff, 'b' };
	struct buf b = body("v1", "ConfigMap", raw, sizeof(raw));

	expect_json(decode_ok(&b), "{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\","
		    "\"data\":{\"k\":\"a\\ufffdb\"}}");
}

Test(proto_wire, message_seen_twice_merges_and_last_scalar_wins)
{
	static const uint8_t raw[] = { 0x0a, 3, 0x0a, 1, 'a', 0x0a, 3, 0x1a, 1, 'n',
				       0x0a, 3, 0x0a, 1, 'b', 0x20, 1, 0x20, 0 };
	struct buf b = body("v1", "ConfigMap", raw, sizeof(raw));

	expect_json(decode_ok(&b), "{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\","
		    "\"metadata\":{\"name\":\"b\",\"namespace\":\"n\"},\"immutable\":false}");
}

Test(proto_wire, zero_after_value_removes_it)
{
	static const uint8_t raw[] = { 0x0a, 6, 0x0a, 1, 'a', 0x0a, 1, 'b', 0x0a, 2, 0x0a, 0 };
	struct buf b = body("v1", "ConfigMap", raw, sizeof(raw));

	expect_json(decode_ok(&b), "{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"metadata\":{}}");
}

Test(proto_wire, unknown_fields_are_skipped)
{
	/* field 99 as varint, fixed64, fixed32, bytes and a group with a field inside */
	static const uint8_t raw[] = { 0x98, 0x06, 0x05, 0x99, 0x06, 1, 2, 3, 4, 5, 6, 7, 8,
				       0x9d, 0x06, 1, 2, 3, 4, 0x9a, 0x06, 2, 'h', 'i',
				       0x9b, 0x06, 0x08, 1, 0x9c, 0x06, 0x20, 1 };
	struct buf b = body("v1", "ConfigMap", raw, sizeof(raw));

	expect_json(decode_ok(&b), "{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"immutable\":true}");
}

Test(proto_wire, endpoint_defaults_fill_a_bare_type_meta)
{
	static const uint8_t raw[] = { 0x0a, 3, 0x0a, 1, 'a' };
	struct buf b = body("", "", raw, sizeof(raw));
	json_t *st = NULL, *obj = kube__proto_decode_as(b.b, b.n, "v1", "ConfigMap", &st);

	cr_assert_not_null(obj);
	expect_json(obj, "{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"a\"}}");
	expect_error(b.b, b.n, NULL, NULL,
		     "Object 'Kind' is missing in 'runtime.TypeMeta{APIVersion:\"\", Kind:\"\"}'");
}

Test(proto_errors, empty_and_bad_magic)
{
	expect_error("", 0, NULL, NULL, "empty data");
	expect_error("k8s\0", 4, NULL, NULL, "empty body");
	expect_error("k8s", 3, NULL, NULL, "provided data does not appear to be a protobuf "
		     "message, expected prefix [107 56 115 0]");
	expect_error("{\"kind\":\"ConfigMap\"}", 20, "v1", "ConfigMap",
		     "the object provided is unrecognized (must be of type ConfigMap): provided "
		     "data does not appear to be a protobuf message, expected prefix "
		     "[107 56 115 0] ({\"kind\":\"ConfigMap\"})");
	expect_error("k8s\1abc", 7, "v1", "ConfigMap",
		     "the object provided is unrecognized (must be of type ConfigMap): provided "
		     "data does not appear to be a protobuf message, expected prefix "
		     "[107 56 115 0] (6b387301616263)");
}

Test(proto_errors, truncated_everywhere)
{
	size_t len, typed = 4 + 2 + 2 + 2 + 2 + 9; /* magic, typeMeta{"v1","ConfigMap"} */
	uint8_t *full = (uint8_t *)tu_read_file(DATA "configmap.pb", &len);

	for (size_t cut = 5; cut < len - 4; cut++) {
		json_t *st = NULL, *obj;
		const char *msg;

		if (cut == typed)
			continue; /* a whole envelope without raw: an empty ConfigMap */
		obj = kube__proto_decode(full, cut, &st);
		cr_assert_null(obj, "cut at %zu decoded", cut);
		msg = json_string_value(json_object_get(st, "message"));
		cr_assert_str_eq(msg, "unexpected EOF", "cut at %zu: %s", cut, msg);
		json_decref(st);
	}
	expect_error(full, 12, "v1", "ConfigMap", "the object provided is unrecognized (must be "
		     "of type ConfigMap): unexpected EOF (6b3873000a0f0a0276311209)");
	free(full);
}

Test(proto_errors, wrong_wire_type)
{
	static const uint8_t raw[] = { 0x08, 1 }; /* ConfigMap.metadata as a varint */
	static const uint8_t env[] = { 'k', '8', 's', 0, 0x08, 1 };
	struct buf b = body("v1", "ConfigMap", raw, sizeof(raw));

	expect_error(b.b, b.n, NULL, NULL, "ConfigMap in version \"v1\" cannot be handled as a "
		     "ConfigMap: proto: wrong wireType = 0 for field Metadata");
	expect_error(env, sizeof(env), NULL, NULL, "proto: wrong wireType = 0 for field TypeMeta");
}

Test(proto_errors, bad_tags_and_varints)
{
	static const uint8_t zero_tag[] = { 0x00, 1 };
	static const uint8_t end_group[] = { 0x0c };
	static const uint8_t overflow[] = { 0x20, 0xff, 0xff, 0xff, 0xff, 0xff,
					    0xff, 0xff, 0xff, 0xff, 0xff, 0x01 };
	static const uint8_t bad_wt[] = { 0x9f, 0x06 };
	struct buf b;

	b = body("v1", "ConfigMap", zero_tag, sizeof(zero_tag));
	expect_error(b.b, b.n, NULL, NULL, "ConfigMap in version \"v1\" cannot be handled as a "
		     "ConfigMap: proto: ConfigMap: illegal tag 0 (wire type 0)");
	b = body("v1", "ConfigMap", end_group, sizeof(end_group));
	expect_error(b.b, b.n, NULL, NULL, "ConfigMap in version \"v1\" cannot be handled as a "
		     "ConfigMap: proto: ConfigMap: wiretype end group for non-group");
	b = body("v1", "ConfigMap", overflow, sizeof(overflow));
	expect_error(b.b, b.n, NULL, NULL, "ConfigMap in version \"v1\" cannot be handled as a "
		     "ConfigMap: proto: integer overflow");
	b = body("v1", "ConfigMap", bad_wt, sizeof(bad_wt));
	expect_error(b.b, b.n, NULL, NULL, "ConfigMap in version \"v1\" cannot be handled as a "
		     "ConfigMap: proto: illegal wireType 7");
}

Test(proto_errors, unknown_kinds)
{
	struct buf b = body("v1", "Foo", "", 0);

	expect_error(b.b, b.n, NULL, NULL, "Foo in version \"v1\" cannot be handled as a Foo: "
		     "no kind \"Foo\" is registered for version \"v1\" in scheme "
		     "\"pkg/api/legacyscheme/scheme.go:30\"");
	b = body("example.com/v1", "Widget", "", 0);
	expect_error(b.b, b.n, "example.com/v1", "Widget", "Widget in version \"v1\" cannot be "
		     "handled as a Widget: no kind \"Widget\" is registered for version "
		     "\"example.com/v1\" in scheme \"pkg/api/legacyscheme/scheme.go:30\"");
	b = body("v1", "PodSpec", "", 0); /* a message, but not an API object */
	expect_error(b.b, b.n, "v1", "Pod", "PodSpec in version \"v1\" cannot be handled as a "
		     "Pod: no kind \"PodSpec\" is registered for version \"v1\" in scheme "
		     "\"pkg/api/legacyscheme/scheme.go:30\"");
}

Test(proto_errors, raw_extension_must_hold_json)
{
	static const uint8_t raw[] = { 0x12, 5, 0x0a, 3, '{', 'x', '}' };
	struct buf b = body("apps/v1", "ControllerRevision", raw, sizeof(raw));
	json_t *st = NULL;

	cr_assert_null(kube__proto_decode(b.b, b.n, &st));
	cr_assert(strstr(json_string_value(json_object_get(st, "message")),
			 "ControllerRevision in version \"v1\" cannot be handled as a "
			 "ControllerRevision: json: error calling MarshalJSON for type "
			 "*runtime.RawExtension: "));
	json_decref(st);
}

Test(proto_supported, api_objects_only)
{
	cr_assert(kube__proto_is_supported("v1", "ConfigMap"));
	cr_assert(kube__proto_is_supported("apps/v1", "Deployment"));
	cr_assert(kube__proto_is_supported("rbac.authorization.k8s.io/v1", "ClusterRole"));
	cr_assert(kube__proto_is_supported("authentication.k8s.io/v1", "TokenRequest"));
	cr_assert(kube__proto_is_supported("networking.k8s.io/v1", "Ingress"));
	cr_assert_not(kube__proto_is_supported("v1", "PodSpec"));
	cr_assert_not(kube__proto_is_supported("v1", "Deployment"));
	cr_assert_not(kube__proto_is_supported("apps.example.com/v1", "Deployment"));
	cr_assert_not(kube__proto_is_supported("stable.example.com/v1", "CronTab"));
	cr_assert_not(kube__proto_is_supported("apps/v1/x", "Deployment"));
	cr_assert_not(kube__proto_is_supported(NULL, "ConfigMap"));
}

/*
 * OpenAPI v3: every upstream document in KUBE_SHARED_DIR/openapi/v3 is
 * served under its path, inflates to the file's exact bytes, and is listed
 * in the index with the upper-case hex SHA-512 of those bytes.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <zlib.h>
#include "core/api/apimeta.h"
#include "libkube/errors.h"
#include "../../testutil.h"

#define DOCS_DIR KUBE_SHARED_DIR "/openapi/v3"

static void sha512_hex(const char *data, size_t len, char out[129])
{
	unsigned char md[64];
	unsigned int n = 0;

	cr_assert(EVP_Digest(data, len, md, &n, EVP_sha512(), NULL));
	for (unsigned int i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02X", md[i]);
}

/* "apis__apps__v1.json" -> "apis/apps/v1" */
static void file_to_path(const char *name, char *path, size_t size)
{
	size_t w = 0;

	for (size_t i = 0; name[i] && strcmp(name + i, ".json") && w + 1 < size; i++) {
		if (name[i] == '_' && name[i + 1] == '_') {
			path[w++] = '/';
			i++;
		} else {
			path[w++] = name[i];
		}
	}
	path[w] = '\0';
}

/* Inflate the gzip member independently of the library's inflate. */
static char *gunzip(const void *gz, size_t gz_len, size_t cap, size_t *len)
{
	char *out = malloc(cap + 1);
	z_stream z = { 0 };

	cr_assert_eq(inflateInit2(&z, 15 + 16), Z_OK);
	z.next_in = (unsigned char *)gz;
	z.avail_in = (uInt)gz_len;
	z.next_out = (unsigned char *)out;
	z.avail_out = (uInt)cap + 1;
	cr_assert_eq(inflate(&z, Z_FINISH), Z_STREAM_END);
	*len = z.total_out;
	inflateEnd(&z);
	return out;
}

static void check_document(const char *file, const char *path, const json_t *index)
{
	size_t want_len, got_len, gz_len, raw_len;
	char *want = tu_read_file(file, &want_len), *got = NULL, *raw, hash[129], url[512];
	const void *gz;
	const char *etag;
	json_t *entry;

	cr_assert_eq(kube__openapi_v3_inflate(path, &got, &got_len), 0, "%s", path);
	cr_expect_eq(got_len, want_len, "%s", path);
	cr_expect(!memcmp(got, want, want_len), "%s differs from %s", path, file);
	cr_expect_eq(got[got_len], '\0');
	cr_assert_eq(kube__openapi_v3_gzip(path, &gz, &gz_len, &etag), 0);
	cr_expect(gz_len > 18 && gz_len < want_len, "%s: %zu gzip bytes", path, gz_len);
	cr_expect(((const unsigned char *)gz)[0] == 0x1f && ((const unsigned char *)gz)[1] == 0x8b);
	raw = gunzip(gz, gz_len, want_len, &raw_len);
	cr_expect(raw_len == want_len && !memcmp(raw, want, want_len), "%s: gzip member", path);
	sha512_hex(want, want_len, hash);
	cr_expect_str_eq(etag, hash, "%s", path);
	entry = json_object_get(json_object_get(index, "paths"), path);
	cr_assert_not_null(entry, "%s not in the index", path);
	snprintf(url, sizeof(url), "/openapi/v3/%s?hash=%s", path, hash);
	cr_expect_str_eq(json_string_value(json_object_get(entry, "serverRelativeURL")), url);
	cr_expect_eq(json_object_size(entry), 1);
	free(raw);
	free(got);
	free(want);
}

Test(openapi, documents_round_trip)
{
	json_t *index = kube__openapi_v3_index();
	DIR *dir = opendir(DOCS_DIR);
	struct dirent *de;
	size_t ndocs = 0;

	cr_assert_not_null(index);
	cr_assert_not_null(dir, "%s", DOCS_DIR);
	while ((de = readdir(dir))) {
		char file[1024], path[256];
		size_t n = strlen(de->d_name);

		if (n < 6 || strcmp(de->d_name + n - 5, ".json"))
			continue;
		snprintf(file, sizeof(file), "%s/%s", DOCS_DIR, de->d_name);
		file_to_path(de->d_name, path, sizeof(path));
		check_document(file, path, index);
		ndocs++;
	}
	closedir(dir);
	cr_expect(ndocs >= 17);
	cr_expect_eq(json_object_size(json_object_get(index, "paths")), ndocs);
	cr_expect_eq(json_object_size(index), 1);
	json_decref(index);
}

Test(openapi, index_keys_sorted_and_named_like_upstream)
{
	json_t *index = kube__openapi_v3_index(), *v;
	const char *key, *prev = "";
	char *text;

	json_object_foreach(json_object_get(index, "paths"), key, v) {
		cr_expect(strcmp(prev, key) < 0, "%s after %s", key, prev);
		prev = key;
	}
	cr_expect_not_null(json_object_get(json_object_get(index, "paths"), "api/v1"));
	cr_expect_not_null(json_object_get(json_object_get(index, "paths"), "apis/apps/v1"));
	static const char prefix[] =
		"{\"paths\":{\"api/v1\":{\"serverRelativeURL\":\"/openapi/v3/api/v1?hash=";
	text = json_dumps(index, JSON_COMPACT);
	cr_expect(!strncmp(text, prefix, sizeof(prefix) - 1), "%.120s", text);
	free(text);
	json_decref(index);
}

Test(openapi, unknown_paths)
{
	char *json = NULL;
	size_t len = 7;
	const void *gz = NULL;
	const char *etag = NULL;

	cr_expect_eq(kube__openapi_v3_inflate("apis/apps/v2", &json, &len), KUBE_ENOTFOUND);
	cr_expect_eq(kube__openapi_v3_inflate("api", &json, &len), KUBE_ENOTFOUND);
	cr_expect_eq(kube__openapi_v3_inflate(NULL, &json, &len), KUBE_ENOTFOUND);
	cr_expect_eq(kube__openapi_v3_gzip("/api/v1", &gz, &len, &etag), KUBE_ENOTFOUND);
	cr_expect_eq(kube__openapi_v3_gzip("", &gz, &len, &etag), KUBE_ENOTFOUND);
	cr_expect_null(json);
	cr_expect_null(gz);
	cr_expect_null(etag);
	cr_expect_eq(len, 7);
}

Test(openapi, documents_parse_and_describe_their_kinds)
{
	char *text;
	size_t len;
	json_error_t err;
	json_t *doc;

	cr_assert_eq(kube__openapi_v3_inflate("apis/apps/v1", &text, &len), 0);
	doc = json_loadb(text, len, 0, &err);
	cr_assert_not_null(doc, "%s", err.text);
	cr_expect_not_null(json_object_get(json_object_get(json_object_get(doc, "components"), "schemas"),
					   "io.k8s.api.apps.v1.Deployment"));
	cr_expect_not_null(json_object_get(json_object_get(doc, "paths"),
					   "/apis/apps/v1/namespaces/{namespace}/deployments"));
	json_decref(doc);
	free(text);
}

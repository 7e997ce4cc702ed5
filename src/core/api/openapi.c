/*
 * OpenAPI v3 serving: the index at /openapi/v3 and the documents below it,
 * as kube-openapi's handler3 presents them. The documents are the upstream
 * files, embedded gzip-compressed at build time (tools/openapi_embed.c), so
 * a client that accepts gzip gets the stored bytes with no work at all.
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "core/api/apimeta.h"
#include "core/api/openapi_docs.h"
#include "libkube/errors.h"

static int cmp_path(const void *key, const void *elem)
{
	return strcmp(key, ((const struct kube_openapi_doc *)elem)->path);
}

static const struct kube_openapi_doc *find_doc(const char *path)
{
	if (!path)
		return NULL;
	return bsearch(path, kube__openapi_docs, (size_t)kube__openapi_ndocs,
		       sizeof(kube__openapi_docs[0]), cmp_path);
}

/*
 * {"paths": {PATH: {"serverRelativeURL": "/openapi/v3/PATH?hash=HASH"}}},
 * keys in sorted order as Go marshals a map. The hash is the document's
 * SHA-512 in upper-case hex, so a client caches each URL forever.
 * NULL on allocation failure.
 */
json_t *kube__openapi_v3_index(void)
{
	json_t *paths = json_object(), *index = json_pack("{s:o}", "paths", paths);

	if (!index)
		return NULL;
	for (int i = 0; i < kube__openapi_ndocs; i++) {
		const struct kube_openapi_doc *d = &kube__openapi_docs[i];
		json_t *url = json_sprintf("/openapi/v3/%s?hash=%s", d->path, d->hash);

		if (!url || json_object_set_new(paths, d->path, json_pack("{s:o}", "serverRelativeURL", url))) {
			json_decref(index);
			return NULL;
		}
	}
	return index;
}

/*
 * The stored gzip member of the document at @p path ("apis/apps/v1") and
 * its hash: the value of the index's ?hash= parameter, which upstream
 * quotes into the ETag header. All static. 0 or KUBE_ENOTFOUND.
 */
int kube__openapi_v3_gzip(const char *path, const void **gz_out, size_t *gz_len,
			  const char **etag)
{
	const struct kube_openapi_doc *d = find_doc(path);

	if (!d)
		return KUBE_ENOTFOUND;
	if (gz_out)
		*gz_out = d->gz;
	if (gz_len)
		*gz_len = d->gz_len;
	if (etag)
		*etag = d->hash;
	return 0;
}

int kube__openapi_gunzip(const void *gz, size_t gz_len, size_t len, char **out,
			 size_t *len_out)
{
	z_stream z = { 0 };
	char *buf = malloc(len + 1);
	int rc;

	if (!buf)
		return KUBE_ENOMEM;
	if (inflateInit2(&z, 15 + 16) != Z_OK)
		goto free_buf;
	z.next_in = (unsigned char *)gz;
	z.avail_in = (uInt)gz_len;
	z.next_out = (unsigned char *)buf;
	z.avail_out = (uInt)len;
	rc = inflate(&z, Z_FINISH);
	inflateEnd(&z);
	if (rc != Z_STREAM_END || z.total_out != len) {
		free(buf);
		return KUBE_EINTERNAL;
	}
	buf[len] = '\0';
	*out = buf;
	if (len_out)
		*len_out = len;
	return 0;

free_buf:
	free(buf);
	return KUBE_ENOMEM;
}

/*
 * The JSON text of the document at @p path, NUL-terminated, in a buffer the
 * caller free()s; *len_out excludes the NUL. KUBE_ENOTFOUND for an unknown
 * path, else as kube__openapi_gunzip.
 */
int kube__openapi_v3_inflate(const char *path, char **json_out, size_t *len_out)
{
	const struct kube_openapi_doc *d = find_doc(path);

	if (!d)
		return KUBE_ENOTFOUND;
	return kube__openapi_gunzip(d->gz, d->gz_len, d->len, json_out, len_out);
}

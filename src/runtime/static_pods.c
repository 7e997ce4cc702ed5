/*
 * Static pods (kubeadm's manifests directory): every Pod manifest in the
 * agent's directory runs on that node and shows in the API as a mirror pod
 * "<name>-<node>" annotated kubernetes.io/config.mirror and owned by the
 * Node, as the kubelet makes them. The directory is read when the agent
 * registers. A deleted mirror pod is made again, as the kubelet does.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include "core/codec.h"
#include "core/ops.h"
#include "runtime/node.h"

static void log_write(int err, const json_t *obj, const json_t *st, void *data)
{
	(void)obj;
	if (err && err != KUBE_EEXIST)
		kube__log(data, "static pod: %s", json_string_value(json_object_get(st, "message")));
}

/* The kubelet's config hash: a digest of the manifest, 32 hex digits. */
static void config_hash(const json_t *manifest, char *hex)
{
	char *text = json_dumps(manifest, JSON_SORT_KEYS | JSON_COMPACT);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	EVP_Digest(text ? text : "", text ? strlen(text) : 0, md, &n, EVP_md5(), NULL);
	for (unsigned int i = 0; i < 16; i++)
		sprintf(hex + 2 * i, "%02x", md[i]);
	free(text);
}

static json_t *mirror_pod(struct node_agent *a, const json_t *manifest)
{
	json_t *pod = json_deep_copy(manifest), *meta = kube__meta(pod), *ann;
	char name[512], hash[33], seen[48];
	const char *ns = json_string_value(json_object_get(meta, "namespace"));

	config_hash(manifest, hash);
	snprintf(name, sizeof(name), "%s-%s", json_string_value(json_object_get(meta, "name")), a->name);
	json_object_set_new(meta, "name", json_string(name));
	if (!ns || !*ns)
		json_object_set_new(meta, "namespace", json_string("default"));
	ann = json_object_get(meta, "annotations");
	if (!json_is_object(ann)) {
		ann = json_object();
		json_object_set_new(meta, "annotations", ann);
	}
	json_object_set_new(ann, "kubernetes.io/config.hash", json_string(hash));
	json_object_set_new(ann, "kubernetes.io/config.mirror", json_string(hash));
	json_object_set_new(ann, "kubernetes.io/config.seen",
			    json_string(kube__microtime(kube__now_ms(a->c), seen, sizeof(seen))));
	json_object_set_new(ann, "kubernetes.io/config.source", json_string("file"));
	json_object_set_new(meta, "ownerReferences",
			    json_pack("[{s:s, s:s, s:s, s:s, s:b}]", "apiVersion", "v1", "kind", "Node",
				      "name", a->name, "uid", a->node_uid ? a->node_uid : "",
				      "controller", 1));
	if (json_is_object(json_object_get(pod, "spec")))
		json_object_set_new(json_object_get(pod, "spec"), "nodeName", json_string(a->name));
	return pod;
}

static void create_mirror(struct node_agent *a, const json_t *manifest)
{
	json_t *pod = mirror_pod(a, manifest);

	kube__op_create(a->c, kube__registry_by_gvk("v1", "Pod"), kube__meta_str(pod, "namespace"),
			pod, NULL, log_write, a->c);
}

static bool manifest_file(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && ((n > 5 && !strcmp(name + n - 5, ".yaml")) ||
				  (n > 4 && !strcmp(name + n - 4, ".yml")) ||
				  (n > 5 && !strcmp(name + n - 5, ".json")));
}

static void load_file(struct node_agent *a, const char *path)
{
	FILE *f = fopen(path, "rb");
	char *text = NULL, key[600];
	size_t len = 0;
	json_t *docs, *doc;
	size_t i;

	if (!f)
		return;
	if (getdelim(&text, &len, '\0', f) < 0) {
		free(text);
		text = NULL;
	}
	fclose(f);
	docs = text ? kube__parse_docs(text, strlen(text), NULL) : NULL;
	free(text);
	json_array_foreach(docs, i, doc) {
		if (strcmp(json_string_value(json_object_get(doc, "kind")) ?: "", "Pod") ||
		    !kube__meta_str(doc, "name"))
			continue;
		snprintf(key, sizeof(key), "%s-%s", kube__meta_str(doc, "name"), a->name);
		json_object_set(a->static_pods, key, doc);
		create_mirror(a, doc);
	}
	if (!docs)
		kube__log(a->c, "node %s: cannot read static pod manifest %s", a->name, path);
	json_decref(docs);
}

void kube__static_pods_start(struct node_agent *a)
{
	DIR *d = a->static_dir ? opendir(a->static_dir) : NULL;
	struct dirent *e;
	char path[4096];

	if (a->static_dir && !d)
		kube__log(a->c, "node %s: cannot open static pod directory %s", a->name, a->static_dir);
	while (d && (e = readdir(d))) {
		if (!manifest_file(e->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", a->static_dir, e->d_name);
		load_file(a, path);
	}
	if (d)
		closedir(d);
}

void kube__static_pod_deleted(struct node_agent *a, const json_t *pod)
{
	json_t *ann = json_object_get(json_object_get(pod, "metadata"), "annotations");
	const json_t *manifest = json_object_get(a->static_pods, kube__meta_str(pod, "name"));

	if (!manifest || !json_object_get(ann, "kubernetes.io/config.mirror"))
		return;
	create_mirror(a, manifest);
}

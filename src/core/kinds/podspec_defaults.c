/*
 * Pod spec defaults, as pkg/apis/core/v1/defaults.go applies them to a Pod
 * and to every pod template (SetDefaults_PodSpec, _Container, _Probe,
 * _HTTPGetAction, _Volume, _ContainerPort, _ObjectFieldSelector, ...).
 */
#include <string.h>
#include "core/kinds/kinds.h"

/* Upstream's rule: ":latest" or no tag (and no digest) pulls Always. */
static const char *pull_policy_for(const char *image)
{
	const char *slash = strrchr(image, '/'), *last = slash ? slash + 1 : image;
	const char *colon = strchr(last, ':');

	if (strchr(image, '@'))
		return "IfNotPresent";
	if (!colon || !strcmp(colon + 1, "latest"))
		return "Always";
	return "IfNotPresent";
}

static void probe_defaults(json_t *probe)
{
	json_t *http;

	if (!json_is_object(probe))
		return;
	kube__jdefault(probe, "timeoutSeconds", json_integer(1));
	kube__jdefault(probe, "periodSeconds", json_integer(10));
	kube__jdefault(probe, "successThreshold", json_integer(1));
	kube__jdefault(probe, "failureThreshold", json_integer(3));
	http = kube__jobj(probe, "httpGet");
	if (http) {
		kube__jdefault_str(http, "path", "/");
		kube__jdefault_str(http, "scheme", "HTTP");
	}
}

static void lifecycle_defaults(json_t *lc)
{
	static const char *const hooks[] = { "postStart", "preStop", NULL };

	for (int i = 0; lc && hooks[i]; i++) {
		json_t *http = kube__jobj(kube__jobj(lc, hooks[i]), "httpGet");

		if (http) {
			kube__jdefault_str(http, "path", "/");
			kube__jdefault_str(http, "scheme", "HTTP");
		}
	}
}

static void env_defaults(json_t *env)
{
	size_t i;
	json_t *e, *ref;

	json_array_foreach(env, i, e) {
		ref = kube__jobj(kube__jobj(e, "valueFrom"), "fieldRef");
		if (ref)
			kube__jdefault_str(ref, "apiVersion", "v1");
	}
}

static void container_defaults(json_t *c)
{
	size_t i;
	json_t *port;

	if (!json_is_object(c))
		return;
	/* an image that does not parse (absent, "") has no tag: IfNotPresent */
	kube__jdefault_str(c, "imagePullPolicy", *kinds_str(c, "image") ?
			   pull_policy_for(kinds_str(c, "image")) : "IfNotPresent");
	kube__jdefault_str(c, "terminationMessagePath", "/dev/termination-log");
	kube__jdefault_str(c, "terminationMessagePolicy", "File");
	kube__jensure_obj(c, "resources");
	json_array_foreach(kube__jarr(c, "ports"), i, port)
		if (json_is_object(port))
			kube__jdefault_str(port, "protocol", "TCP");
	probe_defaults(kube__jobj(c, "livenessProbe"));
	probe_defaults(kube__jobj(c, "readinessProbe"));
	probe_defaults(kube__jobj(c, "startupProbe"));
	lifecycle_defaults(kube__jobj(c, "lifecycle"));
	env_defaults(kube__jarr(c, "env"));
}

/* Volume sources a v1 Volume may name; with none, upstream defaults emptyDir. */
static const char *const volume_sources[] = {
	"awsElasticBlockStore", "azureDisk", "azureFile", "cephfs", "cinder", "configMap",
	"csi", "downwardAPI", "emptyDir", "ephemeral", "fc", "flexVolume", "flocker",
	"gcePersistentDisk", "gitRepo", "glusterfs", "hostPath", "image", "iscsi", "nfs",
	"persistentVolumeClaim", "photonPersistentDisk", "portworxVolume", "projected",
	"quobyte", "rbd", "scaleIO", "secret", "storageos", "vsphereVolume", NULL,
};

static void volume_defaults(json_t *vol)
{
	json_t *src;
	int i;

	for (i = 0; volume_sources[i]; i++)
		if (json_is_object(json_object_get(vol, volume_sources[i])))
			break;
	if (!volume_sources[i])
		json_object_set_new(vol, "emptyDir", json_object());
	if ((src = kube__jobj(vol, "hostPath")))
		kube__jdefault_str(src, "type", "");
	if ((src = kube__jobj(vol, "secret")))
		kube__jdefault(src, "defaultMode", json_integer(0644));
	if ((src = kube__jobj(vol, "configMap")))
		kube__jdefault(src, "defaultMode", json_integer(0644));
	if ((src = kube__jobj(vol, "downwardAPI")))
		kube__jdefault(src, "defaultMode", json_integer(0644));
	if ((src = kube__jobj(vol, "projected")))
		kube__jdefault(src, "defaultMode", json_integer(0644));
	if ((src = kube__jobj(vol, "iscsi"))) {
		kube__jdefault_str(src, "iscsiInterface", "default");
	}
	if ((src = kube__jobj(vol, "azureDisk"))) {
		kube__jdefault_str(src, "cachingMode", "ReadWrite");
		kube__jdefault_str(src, "fsType", "ext4");
		kube__jdefault(src, "readOnly", json_false());
		kube__jdefault_str(src, "kind", "Shared");
	}
}

/* hostNetwork pods: a container port without hostPort gets hostPort = containerPort. */
static void host_network_ports(json_t *containers)
{
	size_t i, j;
	json_t *c, *port;

	json_array_foreach(containers, i, c)
		json_array_foreach(kube__jarr(c, "ports"), j, port)
			if (json_is_object(port) && !json_integer_value(json_object_get(port, "hostPort")))
				json_object_set(port, "hostPort", json_object_get(port, "containerPort"));
}

void kube__podspec_defaults(json_t *spec)
{
	size_t i;
	json_t *c, *v;

	if (!json_is_object(spec))
		return;
	kube__jdefault_str(spec, "dnsPolicy", "ClusterFirst");
	kube__jdefault_str(spec, "restartPolicy", "Always");
	kube__jdefault(spec, "securityContext", json_object());
	kube__jdefault(spec, "terminationGracePeriodSeconds", json_integer(30));
	kube__jdefault_str(spec, "schedulerName", "default-scheduler");
	if (json_is_true(json_object_get(spec, "hostNetwork"))) {
		host_network_ports(kube__jarr(spec, "containers"));
		host_network_ports(kube__jarr(spec, "initContainers"));
	}
	json_array_foreach(kube__jarr(spec, "containers"), i, c)
		container_defaults(c);
	json_array_foreach(kube__jarr(spec, "initContainers"), i, c)
		container_defaults(c);
	json_array_foreach(kube__jarr(spec, "ephemeralContainers"), i, c)
		container_defaults(c);
	json_array_foreach(kube__jarr(spec, "volumes"), i, v)
		if (json_is_object(v))
			volume_defaults(v);
}

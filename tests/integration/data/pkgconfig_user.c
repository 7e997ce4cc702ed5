/* A program built against an installed libkube with pkg-config. */
#include <libkube/libkube.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
	kube_cluster *c;
	char *out = NULL;
	int ok;

	if (kube_cluster_new(&c, NULL) || kube_cluster_start(c))
		return 1;
	kube_apply(c, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: b}\n", NULL);
	ok = kube_get(c, "cm", NULL, "x", &out) == 0 && strstr(out, "\"a\":\"b\"");
	kube_free(out);
	kube_cluster_free(c);
	puts(ok ? "ok" : "fail");
	return !ok;
}

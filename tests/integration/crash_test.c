/*
 * Crash test: a child writes objects to an on-disk cluster as fast as it can
 * from several threads and reports each acknowledged write on a pipe; the
 * parent kills it with SIGKILL at a random moment, reopens the data
 * directory and checks that every acknowledged write is there and that the
 * revision never went backwards. Repeated KILLS times.
 *
 *   crash_test DIR KILLS
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>
#include "libkube/libkube.h"

#define WRITERS 4

struct writer {
	kube_cluster *c;
	int round, id, fd;
};

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	char manifest[256], line[128], *out;

	for (int i = 0;; i++) {
		snprintf(manifest, sizeof(manifest),
			 "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: r%d-w%d-%d}\ndata: {i: \"%d\"}\n",
			 w->round, w->id, i, i);
		if (kube_create(w->c, manifest, &out))
			continue;
		json_t *o = json_loads(out, 0, NULL);
		int n = snprintf(line, sizeof(line), "r%d-w%d-%d %s\n", w->round, w->id, i,
				 json_string_value(json_object_get(json_object_get(o, "metadata"),
								   "resourceVersion")));
		/* one write() per line: lines never interleave */
		if (write(w->fd, line, (size_t)n) != n)
			_exit(3);
		json_decref(o);
		kube_free(out);
	}
	return NULL;
}

static void child(const char *dir, int round, int fd)
{
	kube_config cfg;
	kube_cluster *c;
	pthread_t t[WRITERS];
	struct writer w[WRITERS];

	kube_config_init(&cfg);
	cfg.data_dir = dir;
	if (kube_cluster_new(&c, &cfg) || kube_cluster_start(c))
		_exit(2);
	for (int i = 0; i < WRITERS; i++) {
		w[i] = (struct writer){ .c = c, .round = round, .id = i, .fd = fd };
		pthread_create(&t[i], NULL, writer_main, &w[i]);
	}
	for (;;)
		pause();
}

/* Read every acknowledged "name rv" line the child sent before it died. */
static json_t *read_acks(int fd, long long *max_rv)
{
	json_t *acks = json_object();
	char *buf = NULL;
	size_t len = 0;
	FILE *f = fdopen(fd, "r");
	char name[96];
	long long rv;

	while (getline(&buf, &len, f) > 0) {
		if (sscanf(buf, "%95s %lld", name, &rv) == 2) {
			json_object_set_new(acks, name, json_integer(rv));
			if (rv > *max_rv)
				*max_rv = rv;
		}
	}
	free(buf);
	fclose(f);
	return acks;
}

static int verify(const char *dir, json_t *acks, long long max_rv, long long *rev_out)
{
	kube_config cfg;
	kube_cluster *c;
	const char *name;
	json_t *v;
	char *out;
	int missing = 0;

	kube_config_init(&cfg);
	cfg.data_dir = dir;
	if (kube_cluster_new(&c, &cfg) || kube_cluster_start(c)) {
		fprintf(stderr, "cannot reopen %s: %s\n", dir, kube_last_status());
		return -1;
	}
	*rev_out = kube_cluster_revision(c);
	json_object_foreach(acks, name, v) {
		if (kube_get(c, "configmaps", "default", name, &out)) {
			fprintf(stderr, "acknowledged write lost: %s (rv %lld)\n", name,
				(long long)json_integer_value(v));
			missing++;
		}
		kube_free(out);
	}
	if (*rev_out < max_rv) {
		fprintf(stderr, "revision went backwards: %lld < acknowledged %lld\n", *rev_out, max_rv);
		missing++;
	}
	kube_cluster_free(c);
	return missing;
}

int main(int argc, char **argv)
{
	long long prev_rev = 0, total = 0;
	int kills;

	if (argc != 3) {
		fprintf(stderr, "usage: crash_test DIR KILLS\n");
		return 2;
	}
	kills = atoi(argv[2]);
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	for (int round = 0; round < kills; round++) {
		int fds[2], status;
		long long max_rv = 0, rev;
		pid_t pid;
		json_t *acks;

		if (pipe(fds))
			return 2;
		pid = fork();
		if (pid == 0) {
			close(fds[0]);
			child(argv[1], round, fds[1]);
		}
		close(fds[1]);
		usleep(20000 + (useconds_t)(rand() % 200000));
		kill(pid, SIGKILL);
		acks = read_acks(fds[0], &max_rv);
		waitpid(pid, &status, 0);
		if (verify(argv[1], acks, max_rv, &rev)) {
			fprintf(stderr, "round %d: FAILED\n", round);
			return 1;
		}
		if (rev < prev_rev) {
			fprintf(stderr, "round %d: revision went backwards across restarts\n", round);
			return 1;
		}
		prev_rev = rev;
		total += (long long)json_object_size(acks);
		json_decref(acks);
	}
	printf("crash test: survived %d SIGKILLs, %lld acknowledged writes all present, revision %lld\n",
	       kills, total, prev_rev);
	return 0;
}

/*
 * Cluster lifecycle: make, start (load the store, create the built-in
 * namespaces, start controllers, start the loop thread), stop, free.
 */
#include <stdlib.h>
#include <string.h>
#include "core/cluster_internal.h"
#include <signal.h>
#include "core/api/apiserver.h"
#include "core/api/pki.h"
#include "core/bootstrap.h"
#include "core/events.h"
#include "core/status.h"
#include "sched/sched.h"

void kube_config_init(kube_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->history_window = 10000;
}

/* Reject a scheduler configuration the scheduler cannot honour, with the
 * reason as a 400 BadRequest in kube_last_status(). */
static int check_scheduler_config(const char *text)
{
	char err[512];
	json_t *doc = NULL;
	int n;

	if (!text)
		return 0;
	n = sched_config_parse(text, &doc, err, sizeof(err));
	json_decref(doc);
	if (n == KUBE_EINVAL)
		kube__set_last_status(kube__status_new(KUBE_EINVAL, err, NULL));
	return n < 0 ? n : 0;
}

int kube_cluster_new(kube_cluster **out, const kube_config *cfg)
{
	kube_cluster *c = calloc(1, sizeof(*c));
	int err;

	*out = NULL;
	if (!c)
		return KUBE_ENOMEM;
	if (cfg)
		c->cfg = *cfg;
	else
		kube_config_init(&c->cfg);
	if (!c->cfg.history_window)
		c->cfg.history_window = 10000;
	if ((c->cfg.data_dir && !(c->data_dir = strdup(c->cfg.data_dir))) ||
	    (c->cfg.api_address && !(c->api_address = strdup(c->cfg.api_address))) ||
	    (c->cfg.kubeconfig_path && !(c->kubeconfig_path = strdup(c->cfg.kubeconfig_path))) ||
	    (c->cfg.scheduler_config && !(c->scheduler_config = strdup(c->cfg.scheduler_config)))) {
		err = KUBE_ENOMEM;
		goto free_strings;
	}
	c->cfg.data_dir = c->data_dir;
	c->cfg.api_address = c->api_address;
	c->cfg.kubeconfig_path = c->kubeconfig_path;
	c->cfg.scheduler_config = c->scheduler_config;
	if ((err = check_scheduler_config(c->scheduler_config)))
		goto free_strings;
	pthread_mutex_init(&c->lock, NULL);
	*out = c;
	return 0;
free_strings:
	free(c->data_dir);
	free(c->api_address);
	free(c->kubeconfig_path);
	free(c->scheduler_config);
	free(c);
	return err;
}

/* Drain the calls posted from other threads; runs on the loop. */
static void on_wake(uv_async_t *h)
{
	kube_cluster *c = h->data;
	struct kube_call *call;

	for (;;) {
		pthread_mutex_lock(&c->lock);
		call = c->calls_head;
		if (call) {
			c->calls_head = call->next;
			if (!c->calls_head)
				c->calls_tail = NULL;
		}
		pthread_mutex_unlock(&c->lock);
		if (!call)
			return;
		call->run(call);
	}
}

static void controllers_stop(kube_cluster *c)
{
	while (c->controllers) {
		struct kube_controller *k = c->controllers;

		c->controllers = k->next;
		kube__log(c, "stopping controller %s", k->ops->name);
		k->ops->stop(k->state);
		free(k);
	}
}

static int controllers_start(kube_cluster *c)
{
	for (int i = 0; kube__controllers[i]; i++) {
		struct kube_controller *k = calloc(1, sizeof(*k));
		int err;

		if (!k)
			return KUBE_ENOMEM;
		k->ops = kube__controllers[i];
		err = k->ops->start(c, &k->state);
		if (err) {
			free(k);
			return err;
		}
		k->next = c->controllers;
		c->controllers = k;
		kube__log(c, "started controller %s", k->ops->name);
	}
	return 0;
}

struct loop_thread_start {
	kube_cluster *c;
	uv_sem_t ready;
};

static void loop_thread(void *arg)
{
	struct loop_thread_start *s = arg;
	kube_cluster *c = s->c;

	sigset_t set;

	/* a peer closing its socket must not kill the host program */
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	c->loop_tid = uv_thread_self();
	uv_sem_post(&s->ready);
	uv_run(c->loop, UV_RUN_DEFAULT);
}

/* Everything that needs the loop, done by the starting thread before the
 * loop runs anywhere else (so it counts as the loop thread meanwhile). */
static int start_on_loop(kube_cluster *c)
{
	int err;

	err = store_open(&c->store, c->loop, c->data_dir, c->cfg.history_window);
	if (err)
		return err;
	kube__log(c, "store open (%s) at revision %lld", c->data_dir ? c->data_dir : "in memory",
		  (long long)store_revision(c->store));
	uv_async_init(c->loop, &c->wake, on_wake);
	c->wake.data = c;
	pthread_mutex_lock(&c->lock);
	c->running = true;
	pthread_mutex_unlock(&c->lock);
	err = kube__bootstrap(c);
	if (!err)
		err = controllers_start(c);
	if (!err)
		err = kube__apiserver_start(c);
	return err;
}

static void close_cb_noop(uv_handle_t *h)
{
	(void)h;
}

/* Undo start_on_loop; runs on the loop. */
static void shutdown_on_loop(kube_cluster *c)
{
	struct kube_call *rest;

	pthread_mutex_lock(&c->lock);
	c->stopping = true;
	pthread_mutex_unlock(&c->lock);
	kube__apiserver_stop(c);
	controllers_stop(c);
	kube__events_reset(c);
	if (c->store) {
		store_close(c->store);
		c->store = NULL;
	}
	if (!uv_is_closing((uv_handle_t *)&c->wake))
		uv_close((uv_handle_t *)&c->wake, close_cb_noop);
	pthread_mutex_lock(&c->lock);
	rest = c->calls_head;
	c->calls_head = c->calls_tail = NULL;
	c->running = false;
	pthread_mutex_unlock(&c->lock);
	while (rest) {
		struct kube_call *next = rest->next;

		kube__call_finish(rest, KUBE_ESTOPPED, NULL);
		rest = next;
	}
}

/* The admin kubeconfig, written once the API answers (the loop runs). */
static int write_kubeconfig(kube_cluster *c)
{
	char *text;
	int err;

	if (!c->kubeconfig_path || !c->api_address)
		return 0;
	err = kube_cluster_kubeconfig(c, &text);
	if (err)
		return err;
	err = kube__write_file_atomic(c->kubeconfig_path, text, strlen(text), 0600);
	kube_free(text);
	if (!err)
		kube__log(c, "wrote kubeconfig %s", c->kubeconfig_path);
	return err;
}

int kube_cluster_start(kube_cluster *c)
{
	struct loop_thread_start s = { .c = c };
	int err;

	if (c->running)
		return 0;
	if (c->cfg.loop) {
		c->loop = c->cfg.loop;
	} else {
		if (uv_loop_init(&c->own_loop))
			return KUBE_EIO;
		c->loop = &c->own_loop;
		c->owns_loop = true;
	}
	c->stopping = false;
	c->loop_tid = uv_thread_self();
	err = start_on_loop(c);
	if (err) {
		shutdown_on_loop(c);
		goto close_loop;
	}
	if (!c->owns_loop)
		return write_kubeconfig(c);
	uv_sem_init(&s.ready, 0);
	if (uv_thread_create(&c->thread, loop_thread, &s)) {
		uv_sem_destroy(&s.ready);
		shutdown_on_loop(c);
		err = KUBE_EIO;
		goto close_loop;
	}
	uv_sem_wait(&s.ready);
	uv_sem_destroy(&s.ready);
	return write_kubeconfig(c);

close_loop:
	if (c->owns_loop) {
		uv_run(c->loop, UV_RUN_DEFAULT);
		uv_loop_close(c->loop);
		c->owns_loop = false;
	}
	return err;
}

static void stop_run(struct kube_call *call)
{
	kube_cluster *c = call->c;

	/* finish first: shutdown fails every call still queued, and this one
	 * is no longer in the queue */
	kube__call_finish(call, 0, NULL);
	shutdown_on_loop(c);
}

int kube_cluster_stop(kube_cluster *c)
{
	struct kube_call call = { .run = stop_run };

	if (!c || !c->running)
		return 0;
	if (!c->owns_loop) {
		/* host loop: we are on it; handles finish closing when the host runs it */
		shutdown_on_loop(c);
		return 0;
	}
	if (kube__on_loop(c))
		return KUBE_EINVAL;
	kube__call(c, &call);
	uv_thread_join(&c->thread);
	uv_loop_close(c->loop);
	c->owns_loop = false;
	return 0;
}

void kube_cluster_free(kube_cluster *c)
{
	if (!c)
		return;
	kube_cluster_stop(c);
	pthread_mutex_destroy(&c->lock);
	free(c->data_dir);
	free(c->api_address);
	free(c->kubeconfig_path);
	free(c->scheduler_config);
	free(c);
}

struct revision_call {
	struct kube_call call;
	int64_t rev;
};

static void revision_run(struct kube_call *call)
{
	struct revision_call *rc = (struct revision_call *)call;

	rc->rev = store_revision(call->c->store);
	kube__call_finish(call, 0, NULL);
}

int64_t kube_cluster_revision(kube_cluster *c)
{
	struct revision_call rc = { .call.run = revision_run };

	if (kube__call(c, &rc.call))
		return -1;
	return rc.rev;
}

struct api_call {
	struct kube_call call;
	int port;
	char *kubeconfig;
};

static void api_port_run(struct kube_call *call)
{
	struct api_call *a = (struct api_call *)call;

	a->port = kube__apiserver_port(call->c);
	kube__call_finish(call, 0, NULL);
}

int kube_cluster_api_port(kube_cluster *c)
{
	struct api_call a = { .call.run = api_port_run, .port = -1 };

	return kube__call(c, &a.call) ? -1 : a.port;
}

static void kubeconfig_run(struct kube_call *call)
{
	struct api_call *a = (struct api_call *)call;

	a->kubeconfig = kube__apiserver_kubeconfig(call->c);
	kube__call_finish(call, a->kubeconfig ? 0 : KUBE_ENOTFOUND,
			  a->kubeconfig ? NULL : kube__status_new(KUBE_ENOTFOUND,
						"the cluster serves no API", NULL));
}

int kube_cluster_kubeconfig(kube_cluster *c, char **out)
{
	struct api_call a = { .call.run = kubeconfig_run };
	int err = kube__call(c, &a.call);

	*out = err ? NULL : a.kubeconfig;
	return err;
}

/*
 * Blocking, thread-safe API calls: a call from another thread is queued,
 * the loop is woken with uv_async_send, and the caller waits on a condition
 * variable; a call made on the loop thread runs directly.
 */
#include <stdlib.h>
#include "core/cluster_internal.h"
#include "core/status.h"

bool kube__on_loop(kube_cluster *c)
{
	uv_thread_t self = uv_thread_self();

	return uv_thread_equal(&self, &c->loop_tid);
}

void kube__call_finish(struct kube_call *call, int err, json_t *status)
{
	kube_cluster *c = call->c;

	pthread_mutex_lock(&c->lock);
	call->err = err;
	json_decref(call->status);
	call->status = status;
	call->done = true;
	pthread_cond_signal(&call->cond);
	pthread_mutex_unlock(&c->lock);
}

/* On the loop: run the call, then commit synchronously until it finishes
 * (its completion waits for a durable commit). */
static void run_here(kube_cluster *c, struct kube_call *call)
{
	call->run(call);
	while (!call->done) {
		if (!c->store || store_flush(c->store) < 0) {
			if (!call->done)
				kube__call_finish(call, KUBE_EIO, NULL);
			break;
		}
	}
}

int kube__call(kube_cluster *c, struct kube_call *call)
{
	int err;

	call->c = c;
	call->done = false;
	call->err = 0;
	call->status = NULL;
	call->next = NULL;
	pthread_cond_init(&call->cond, NULL);
	pthread_mutex_lock(&c->lock);
	if (!c->running || c->stopping) {
		pthread_mutex_unlock(&c->lock);
		pthread_cond_destroy(&call->cond);
		kube__set_last_status(kube__status_new(KUBE_ESTOPPED, "the cluster is not running", NULL));
		return KUBE_ESTOPPED;
	}
	if (kube__on_loop(c)) {
		pthread_mutex_unlock(&c->lock);
		run_here(c, call);
		pthread_mutex_lock(&c->lock);
	} else {
		if (c->calls_tail)
			c->calls_tail->next = call;
		else
			c->calls_head = call;
		c->calls_tail = call;
		uv_async_send(&c->wake);
		while (!call->done)
			pthread_cond_wait(&call->cond, &c->lock);
	}
	pthread_mutex_unlock(&c->lock);
	pthread_cond_destroy(&call->cond);
	err = call->err;
	kube__set_last_status(err ? call->status : NULL);
	if (!err)
		json_decref(call->status);
	call->status = NULL;
	return err;
}

/*
 * The process runtime: a container is its command and args run as a plain
 * child process of this one (uv_spawn), with the spec's env and workingDir,
 * no isolation and no image (it is ignored). Output goes to the container's
 * log. For unprivileged harnesses. The child gets its own session so a stop
 * signals the whole process group (a shell and what it started).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/clock.h"
#include "core/ops.h"
#include "runtime/runtime.h"

struct proc {
	struct kube_rt_ctr *ctr;   /* NULL once removed (handles still closing) */
	uv_process_t process;
	uv_pipe_t out[2];          /* stdout, stderr */
	struct kube_timer kill_timer; /* SIGKILL at the end of a stop's grace period */
	int open_handles;          /* freed when the last one closed */
	int pending;               /* exit + two EOFs before the exit is reported */
	int exit_code;
	bool exited;
};

static int proc_open(kube_cluster *c, const char *node, void **state)
{
	(void)node;
	*state = c;
	return 0;
}

static void proc_close(void *state)
{
	(void)state;
}

static void proc_free(struct proc *p)
{
	kube__timer_release(&p->kill_timer);
	free(p);
}

/* The proc lives until its handles closed and its container was removed. */
static void on_handle_closed(uv_handle_t *h)
{
	struct proc *p = h->data;

	if (--p->open_handles == 0 && !p->ctr)
		proc_free(p);
}

static void proc_done_part(struct proc *p)
{
	if (--p->pending > 0 || !p->ctr)
		return;
	kube__timer_stop(&p->kill_timer);
	kube__rt_exited(p->ctr, p->exit_code, NULL);
}

static void on_proc_exit(uv_process_t *h, int64_t status, int sig)
{
	struct proc *p = h->data;

	p->exited = true;
	/* a signal death reads as the shell reports it: 128 + signal */
	p->exit_code = sig ? 128 + sig : (int)status;
	uv_close((uv_handle_t *)h, on_handle_closed);
	proc_done_part(p);
}

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	static char scratch[65536];

	/* one loop thread reads at a time: a static buffer is enough */
	(void)h, (void)hint;
	*buf = uv_buf_init(scratch, sizeof(scratch));
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	struct proc *p = s->data;
	int stream = (uv_pipe_t *)s == &p->out[1];

	if (n > 0 && p->ctr)
		kube__rt_log_append(&p->ctr->log, stream, buf->base, (size_t)n, kube__now_ms(p->ctr->c));
	if (n < 0) {
		uv_close((uv_handle_t *)s, on_handle_closed);
		proc_done_part(p);
	}
}

/* argv from command + args; NULL when both are empty (there is no image
 * entrypoint to fall back to). */
static char **build_argv(const json_t *spec)
{
	json_t *cmd = json_object_get(spec, "command"), *args = json_object_get(spec, "args"), *v;
	size_t n = json_array_size(cmd) + json_array_size(args), i, k = 0;
	char **argv;

	if (!json_array_size(cmd) || !(argv = calloc(n + 1, sizeof(*argv))))
		return NULL;
	json_array_foreach(cmd, i, v)
		argv[k++] = (char *)json_string_value(v);
	json_array_foreach(args, i, v)
		argv[k++] = (char *)json_string_value(v);
	return argv;
}

/* PATH from this process, HOSTNAME as the pod's name, then spec.env values. */
static char **build_env(const struct kube_rt_ctr *ctr)
{
	json_t *env = json_object_get(ctr->spec, "env"), *e;
	size_t i, k = 0;
	char **envp = calloc(json_array_size(env) + 3, sizeof(*envp));

	if (!envp)
		return NULL;
	if (asprintf(&envp[k], "PATH=%s", getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin") >= 0)
		k++;
	if (asprintf(&envp[k], "HOSTNAME=%s", kube__meta_str(ctr->pod, "name")) >= 0)
		k++;
	json_array_foreach(env, i, e) {
		const char *name = json_string_value(json_object_get(e, "name"));
		const char *val = json_string_value(json_object_get(e, "value"));

		if (name && asprintf(&envp[k], "%s=%s", name, val ? val : "") >= 0)
			k++;
	}
	return envp;
}

static void free_strv(char **v, bool owned)
{
	for (size_t i = 0; v && owned && v[i]; i++)
		free(v[i]);
	free(v);
}

static int spawn(struct proc *p, struct kube_rt_ctr *ctr, char **argv, char **envp)
{
	uv_loop_t *loop = ctr->c->loop;
	uv_stdio_container_t stdio[3];
	uv_process_options_t o = { 0 };

	for (int i = 0; i < 2; i++) {
		uv_pipe_init(loop, &p->out[i], 0);
		p->out[i].data = p;
	}
	stdio[0].flags = UV_IGNORE;
	for (int i = 0; i < 2; i++) {
		stdio[i + 1].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
		stdio[i + 1].data.stream = (uv_stream_t *)&p->out[i];
	}
	o.exit_cb = on_proc_exit;
	o.file = argv[0];
	o.args = argv;
	o.env = envp;
	o.cwd = json_string_value(json_object_get(ctr->spec, "workingDir"));
	o.stdio = stdio;
	o.stdio_count = 3;
	o.flags = UV_PROCESS_DETACHED;
	p->process.data = p;
	return uv_spawn(loop, &p->process, &o);
}

static int proc_start(void *state, struct kube_rt_ctr *ctr, kube_rt_done_cb cb, void *data)
{
	struct proc *p = calloc(1, sizeof(*p));
	char **argv = build_argv(ctr->spec), **envp = build_env(ctr);
	int err = p && argv && envp ? spawn(p, ctr, argv, envp) : UV_EINVAL;

	(void)state;
	kube__rt_new_id(ctr->id);
	ctr->started_ms = kube__now_ms(ctr->c);
	if (p) {
		p->ctr = ctr;
		ctr->priv = p;
	}
	if (err) {
		free(ctr->message);
		ctr->message = strdup(!argv ? "the process runtime runs command and args; "
				       "this container has no command" : uv_strerror(err));
		if (p && argv && envp) {
			/* a failed uv_spawn leaves its handles initialised: close them */
			p->open_handles = 3;
			p->exited = true;
			p->ctr = NULL;
			uv_close((uv_handle_t *)&p->process, on_handle_closed);
			for (int i = 0; i < 2; i++)
				uv_close((uv_handle_t *)&p->out[i], on_handle_closed);
		} else {
			free(p);
		}
		ctr->priv = NULL;
		ctr->state = KUBE_RT_RUNNING;
		cb(0, data);
		kube__rt_exited(ctr, 128, "ContainerCannotRun");
		goto out;
	}
	p->open_handles = 3;
	p->pending = 3;
	for (int i = 0; i < 2; i++)
		uv_read_start((uv_stream_t *)&p->out[i], on_alloc, on_read);
	ctr->state = KUBE_RT_RUNNING;
	ctr->ready = true;
	cb(0, data);
out:
	free_strv(argv, false);
	free_strv(envp, true);
	return 0;
}

static void on_kill_timer(struct kube_timer *t, void *data)
{
	struct proc *p = data;

	(void)t;
	if (!p->exited)
		kill(-p->process.pid, SIGKILL);
}

static void proc_stop(void *state, struct kube_rt_ctr *ctr, int64_t grace_ms)
{
	struct proc *p = ctr->priv;

	(void)state;
	if (!p || p->exited)
		return;
	kill(-p->process.pid, SIGTERM);
	kube__timer_start(ctr->c, &p->kill_timer, grace_ms, on_kill_timer, p);
}

static void proc_remove(void *state, struct kube_rt_ctr *ctr)
{
	struct proc *p = ctr->priv;

	(void)state;
	if (!p)
		return;
	p->ctr = NULL;
	ctr->priv = NULL;
	kube__timer_stop(&p->kill_timer);
	if (!p->exited) {
		kill(-p->process.pid, SIGKILL);
		/* the exit callback still comes and closes the process handle */
	}
	if (!p->open_handles) {
		proc_free(p);
		return;
	}
	for (int i = 0; i < 2; i++)
		if (!uv_is_closing((uv_handle_t *)&p->out[i]))
			uv_close((uv_handle_t *)&p->out[i], on_handle_closed);
}

const struct kube_runtime_ops kube__runtime_process = {
	.name = "process",
	.version = "process://1.0",
	.id_scheme = "process",
	.open = proc_open,
	.close = proc_close,
	.sandbox_create = kube__rt_sandbox_id_only,
	.sandbox_remove = kube__rt_sandbox_id_forget,
	.start = proc_start,
	.stop = proc_stop,
	.exec = NULL,
	.remove = proc_remove,
};

/*
 * Runtime backends: what a node agent asks of the thing that runs containers
 * (the kubelet's CRI, reduced to what libkube needs). Each backend is a
 * struct kube_runtime_ops in its own file, listed once in runtime.c; adding
 * a backend is adding a file and one line there. See docs/internals/runtime.md.
 *
 * Everything runs on the cluster loop and never blocks it. Operations finish
 * through callbacks on the loop; a callback MAY run before the call that
 * started the operation returns (the simulated backend finishes at once), so
 * callers must not hold state across the call that the callback changes.
 * A container's exit is reported through its on_exit callback, whoever
 * caused it (the command ended, a stop, a simulated crash).
 */
#ifndef KUBE_RUNTIME_RUNTIME_H
#define KUBE_RUNTIME_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "core/cluster_internal.h"

/* ---- logs ------------------------------------------------------------- */

/* One container instance's output: append-only lines with their time,
 * capped at KUBE_RT_LOG_MAX bytes (the oldest lines go first). */
#define KUBE_RT_LOG_MAX (1 << 20)

struct kube_rt_log {
	char *buf;        /* "<rfc3339nano> <stream> <line>\n" records, CRI log format */
	size_t len;       /* bytes used */
	size_t cap;       /* bytes allocated */
	char partial[2][512]; /* per stream (0 stdout, 1 stderr): a line without its newline yet */
	size_t plen[2];   /* bytes in partial[] */
};

/* Append @p len bytes of output from @p stream (0 stdout, 1 stderr) at
 * cluster time @p now_ms; complete lines are recorded, a trailing partial
 * line waits for its newline (or kube__rt_log_flush). */
void kube__rt_log_append(struct kube_rt_log *l, int stream, const char *data, size_t len,
			 int64_t now_ms);

/* Record any partial lines (the container ended). */
void kube__rt_log_flush(struct kube_rt_log *l, int64_t now_ms);

/* How a log is read (the pods/log query). */
struct kube_rt_log_opts {
	int64_t tail_lines;  /* only the last N lines; < 0 for all */
	bool timestamps;     /* prefix each line with its RFC 3339 time */
};

/* The log as text into a new string (*out, freed with free()); 0 or KUBE_ENOMEM. */
int kube__rt_log_read(const struct kube_rt_log *l, const struct kube_rt_log_opts *o, char **out);

/* Free the log's buffer and zero @p l (the struct itself is the caller's). */
void kube__rt_log_free(struct kube_rt_log *l);

/* ---- containers and sandboxes -------------------------------------------- */

enum kube_rt_state {
	KUBE_RT_CREATED = 0, /* not started yet (or the start failed) */
	KUBE_RT_RUNNING,
	KUBE_RT_EXITED,
};

struct kube_rt_ctr;
typedef void (*kube_rt_exit_cb)(struct kube_rt_ctr *ctr, void *data);
typedef void (*kube_rt_done_cb)(int err, void *data);

/*
 * One container instance (a restart makes a new one). The agent fills the
 * identity, the backend the state. The agent owns and frees it after
 * ops->remove().
 */
struct kube_rt_ctr {
	/* set by the agent */
	kube_cluster *c;
	const json_t *pod;        /* the pod (a reference the agent holds) */
	const json_t *spec;       /* this container's spec, inside pod */
	const char *name;         /* spec.name */
	bool init;                /* a regular init container (runs to completion) */
	kube_rt_exit_cb on_exit;  /* called once when the container exits */
	void *exit_data;          /* on_exit's argument */
	/* set by the backend */
	char id[65];              /* container id, 64 hex digits */
	enum kube_rt_state state; /* created, running, exited */
	int exit_code;            /* when EXITED */
	const char *reason;       /* when EXITED: "Completed", "Error", ... (static) */
	char *message;            /* when EXITED or a failed start: detail, or NULL (owned) */
	int64_t started_ms;       /* cluster time it started */
	int64_t finished_ms;      /* cluster time it exited */
	bool ready;               /* what readiness says while running */
	struct kube_rt_log log;   /* its output */
	void *priv;               /* the backend's per-container state */
};

/* A pod's sandbox: its network identity (the IPs are the agent's). */
struct kube_rt_sandbox {
	const json_t *pod;        /* the pod (a reference the agent holds) */
	char id[65];              /* sandbox id, set by the backend */
	void *priv;               /* the backend's */
};

/* Output of an exec: exit code and combined output (borrowed during the call). */
typedef void (*kube_rt_exec_cb)(int err, int exit_code, const char *out, size_t len, void *data);

struct kube_runtime_ops {
	const char *name;          /* "simulated": what kube_node_config.runtime names */
	const char *version;       /* nodeInfo.containerRuntimeVersion, "simulated://1.0" */
	const char *id_scheme;     /* containerID prefix, "simulated" in "simulated://<id>" */
	/* Open the backend for one node; *state is passed to every other op. */
	int (*open)(kube_cluster *c, const char *node, void **state);
	/* Close it; every container was removed before. */
	void (*close)(void *state);
	/* Make the pod's sandbox; @p cb(err) when ready. */
	int (*sandbox_create)(void *state, struct kube_rt_sandbox *sb, kube_rt_done_cb cb, void *data);
	/* Tear it down (its containers were removed). */
	void (*sandbox_remove)(void *state, struct kube_rt_sandbox *sb);
	/* Start @p ctr; @p cb(err) once it runs (or failed: state stays CREATED
	 * with message set). */
	int (*start)(void *state, struct kube_rt_ctr *ctr, kube_rt_done_cb cb, void *data);
	/* Ask @p ctr to stop (SIGTERM), kill it after @p grace_ms of cluster time.
	 * Its exit arrives through on_exit. */
	void (*stop)(void *state, struct kube_rt_ctr *ctr, int64_t grace_ms);
	/* Run @p argv in the container; NULL when the backend cannot exec. */
	int (*exec)(void *state, struct kube_rt_ctr *ctr, const char *const *argv,
		    kube_rt_exec_cb cb, void *data);
	/* Forget @p ctr (exited, or killed at once without on_exit when still
	 * running: the node is going away). */
	void (*remove)(void *state, struct kube_rt_ctr *ctr);
};

/* The backend called @p name, or NULL. */
const struct kube_runtime_ops *kube__runtime_find(const char *name);

/* A random 64-hex-digit id into @p id (>= 65 bytes). */
void kube__rt_new_id(char *id);

/* sandbox_create for backends whose pods share the host's network: the
 * sandbox is only a new id; @p cb(0) is called at once. Returns 0. */
int kube__rt_sandbox_id_only(void *state, struct kube_rt_sandbox *sb, kube_rt_done_cb cb,
			     void *data);

/* sandbox_remove for kube__rt_sandbox_id_only's sandboxes: nothing to tear down. */
void kube__rt_sandbox_id_forget(void *state, struct kube_rt_sandbox *sb);

/* Mark @p ctr exited with @p code at cluster time now, with upstream's
 * reason (Completed for 0, Error otherwise) unless @p reason is given, and
 * call its on_exit. For backends. */
void kube__rt_exited(struct kube_rt_ctr *ctr, int code, const char *reason);

/* A Go duration ("5s", "100ms", "1m30s", "0") in milliseconds; -1 when malformed. */
int64_t kube__rt_duration_ms(const char *s);

#endif

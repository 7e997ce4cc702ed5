/**
 * @file errors.h
 * @brief Result codes shared by every libkube call.
 *
 * Every call returns 0 on success or one negative KUBE_E* code from the table
 * below. Each API error also has a Kubernetes Status document (reason, code,
 * message, details with causes) that the calling thread can read with
 * kube_last_status() until its next libkube call.
 */
#ifndef LIBKUBE_ERRORS_H
#define LIBKUBE_ERRORS_H

#include "libkube/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The one table of result codes; the HTTP code each maps to is in brackets. */
#define KUBE_ERRNO_MAP(X)                                                      \
	X(EINVAL, -1, "invalid argument")                   /* 400 BadRequest */   \
	X(ENOMEM, -2, "out of memory")                      /* 500 */              \
	X(ENOTFOUND, -3, "not found")                       /* 404 NotFound */     \
	X(EEXIST, -4, "already exists")                     /* 409 AlreadyExists */\
	X(ECONFLICT, -5, "conflict")                        /* 409 Conflict */     \
	X(EINVALID, -6, "invalid object")                   /* 422 Invalid */      \
	X(EGONE, -7, "resource version expired")            /* 410 Expired */      \
	X(EFORBIDDEN, -8, "forbidden")                      /* 403 Forbidden */    \
	X(ETIMEDOUT, -9, "timed out")                       /* 504 Timeout */      \
	X(EIO, -10, "storage error")                        /* 500 InternalError */\
	X(ESTOPPED, -11, "cluster is not running")          /* 503 */              \
	X(EMETHOD, -12, "method not allowed")               /* 405 */              \
	X(EUNAUTHORIZED, -13, "unauthorized")               /* 401 */              \
	X(ETOOLARGE, -14, "request entity too large")       /* 413 */              \
	X(EUNSUPPORTED, -15, "unsupported media type")      /* 415 */              \
	X(EINTERNAL, -16, "internal error")                 /* 500 */              \
	X(ETOOMANY, -17, "too many requests")               /* 429 TooManyRequests */

/** Negative result codes. */
typedef enum kube_errno {
/** One row of KUBE_ERRNO_MAP as an enumerator: KUBE_EINVAL = -1, ... */
#define KUBE__ERRNO_ENUM(name, val, msg) KUBE_##name = (val),
	KUBE_ERRNO_MAP(KUBE__ERRNO_ENUM)
#undef KUBE__ERRNO_ENUM
} kube_errno;

/**
 * Describe a result code.
 * @param err a value returned by a libkube call.
 * @return a static string; "unknown error" for a value not in the table.
 */
KUBE_EXTERN const char *kube_strerror(int err);

/**
 * The Kubernetes Status (JSON) of the calling thread's last failed call.
 * @return a string owned by libkube, valid until this thread's next libkube
 *         call; NULL if the last call succeeded.
 */
KUBE_EXTERN const char *kube_last_status(void);

#ifdef __cplusplus
}
#endif
#endif

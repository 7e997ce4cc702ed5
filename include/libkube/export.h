/**
 * @file export.h
 * @brief Symbol visibility: the library is built with -fvisibility=hidden and
 *        only what carries KUBE_EXTERN is exported.
 */
#ifndef LIBKUBE_EXPORT_H
#define LIBKUBE_EXPORT_H

#if defined(__GNUC__) && defined(KUBE_BUILDING)
#define KUBE_EXTERN __attribute__((visibility("default")))
#else
#define KUBE_EXTERN
#endif

#endif

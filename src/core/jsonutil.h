/*
 * Reading JSON trees by dotted path ("status.podIP"): the small getters the
 * printers, the kinds and other core modules share instead of each walking
 * json_object_get chains their own way.
 */
#ifndef KUBE_CORE_JSONUTIL_H
#define KUBE_CORE_JSONUTIL_H

#include <stddef.h>
#include <jansson.h>

/* The value at a dotted path of object keys ("status.podIP"), or NULL when
 * a step is missing or not an object. A JSON null is returned as is. */
const json_t *kube__jget(const json_t *obj, const char *path);

/* The string at @p path, or NULL when absent or not a string. */
const char *kube__jstr(const json_t *obj, const char *path);

/* The string at @p path, or "" when absent (Go's zero string). */
const char *kube__jstr0(const json_t *obj, const char *path);

/* The integer at @p path, or @p dflt when absent or not an integer. */
json_int_t kube__jint(const json_t *obj, const char *path, json_int_t dflt);

/* The number of members of the array or object at @p path (0 when absent). */
size_t kube__jlen(const json_t *obj, const char *path);

#endif

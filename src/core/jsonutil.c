/*
 * Dotted-path JSON getters (see jsonutil.h).
 */
#include <string.h>
#include "core/jsonutil.h"

const json_t *kube__jget(const json_t *obj, const char *path)
{
	const char *dot;

	while (obj && (dot = strchr(path, '.'))) {
		obj = json_object_getn(obj, path, (size_t)(dot - path));
		path = dot + 1;
	}
	return obj ? json_object_get(obj, path) : NULL;
}

const char *kube__jstr(const json_t *obj, const char *path)
{
	return json_string_value(kube__jget(obj, path));
}

const char *kube__jstr0(const json_t *obj, const char *path)
{
	const char *s = kube__jstr(obj, path);

	return s ? s : "";
}

json_int_t kube__jint(const json_t *obj, const char *path, json_int_t dflt)
{
	const json_t *v = kube__jget(obj, path);

	return json_is_integer(v) ? json_integer_value(v) : dflt;
}

size_t kube__jlen(const json_t *obj, const char *path)
{
	const json_t *v = kube__jget(obj, path);

	if (json_is_array(v))
		return json_array_size(v);
	return json_is_object(v) ? json_object_size(v) : 0;
}

/*
 * Values printed the way Go's fmt %v prints the decoded JSON
 * (map[string]interface{}, []interface{}, ...): upstream's patch error
 * messages embed them, e.g. `map: map[image:x] does not contain declared
 * merge key: name`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/patch/patch_int.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void print_object(FILE *f, const json_t *v)
{
	size_t n = json_object_size(v), i = 0;
	const char **keys = calloc(n ? n : 1, sizeof(*keys));
	const char *key;
	json_t *child;

	if (!keys)
		return;
	json_object_foreach((json_t *)v, key, child)
		keys[i++] = key;
	qsort(keys, n, sizeof(*keys), cmp_str); /* Go prints maps sorted */
	fputs("map[", f);
	for (i = 0; i < n; i++) {
		fprintf(f, "%s%s:", i ? " " : "", keys[i]);
		kube__go_print(f, json_object_get(v, keys[i]));
	}
	fputc(']', f);
	free(keys);
}

void kube__go_print(FILE *f, const json_t *v)
{
	size_t i;
	json_t *child;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		print_object(f, v);
		break;
	case JSON_ARRAY:
		fputc('[', f);
		json_array_foreach(v, i, child) {
			if (i)
				fputc(' ', f);
			kube__go_print(f, child);
		}
		fputc(']', f);
		break;
	case JSON_STRING:
		fputs(json_string_value(v), f);
		break;
	case JSON_INTEGER:
		fprintf(f, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL:
		fprintf(f, "%g", json_real_value(v));
		break;
	case JSON_TRUE:
		fputs("true", f);
		break;
	case JSON_FALSE:
		fputs("false", f);
		break;
	default:
		fputs("<nil>", f);
	}
}

char *kube__go_string(const json_t *v)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	kube__go_print(f, v);
	fclose(f);
	return buf;
}

const char *kube__go_type(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "map[string]interface {}";
	case JSON_ARRAY:
		return "[]interface {}";
	case JSON_STRING:
		return "string";
	case JSON_INTEGER:
		return "int64";
	case JSON_REAL:
		return "float64";
	case JSON_TRUE:
	case JSON_FALSE:
		return "bool";
	default:
		return "<nil>";
	}
}

/*
 * What the unit tests' own helper headers share: reading a fixture file and
 * walking a JSON value by a dotted path. Each test file is its own program;
 * everything here is static inline.
 */
#ifndef KUBE_TEST_TESTUTIL_H
#define KUBE_TEST_TESTUTIL_H

#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The bytes of the file at @p path, NUL-terminated (free()); their number
 * into @p len when given. Fails the test when it cannot be read. */
static inline char *tu_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *text;
	long n;

	cr_assert_not_null(f, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)n + 1);
	cr_assert_eq(fread(text, 1, (size_t)n, f), (size_t)n, "cannot read %s", path);
	fclose(f);
	if (len)
		*len = (size_t)n;
	return text;
}

/* The value at a dotted path ("status.containerStatuses.0.state"): a
 * number indexes an array. NULL when a step is missing. */
static inline json_t *tu_at(const json_t *v, const char *path)
{
	json_t *cur = (json_t *)v;
	char *p = strdup(path), *save = NULL;

	for (char *t = strtok_r(p, ".", &save); cur && t; t = strtok_r(NULL, ".", &save))
		cur = json_is_array(cur) ? json_array_get(cur, strtoul(t, NULL, 10))
					 : json_object_get(cur, t);
	free(p);
	return cur;
}

#endif

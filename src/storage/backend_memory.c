/*
 * The in-memory backend: the store's own memory is the whole state, so a
 * commit has nothing to write and completes on the loop at once. Used when
 * the store has no data directory (tests, harnesses).
 */
#include <stdlib.h>
#include "libkube/errors.h"
#include "storage/backend.h"

static int memory_load(struct store_backend *b, uint32_t window, int64_t *rev,
		       const struct store_loader *ld)
{
	*rev = 0; /* a new store every time */
	return 0;
}

static int memory_commit(struct store_backend *b, const struct store_batch_desc *batch)
{
	return 0;
}

static void memory_close(struct store_backend *b)
{
	free(b);
}

static const struct store_backend_ops memory_ops = {
	.name = "memory",
	.blocking = false,
	.load = memory_load,
	.commit = memory_commit,
	.close = memory_close,
};

/* Open the in-memory backend. 0 or KUBE_ENOMEM. */
int store_backend_memory_open(struct store_backend **out)
{
	struct store_backend *b = malloc(sizeof(*b));

	*out = b;
	if (!b)
		return KUBE_ENOMEM;
	b->ops = &memory_ops;
	return 0;
}

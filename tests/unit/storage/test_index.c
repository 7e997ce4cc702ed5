/* The key index at scale: hash lookups, skiplist order, prefix seeks. */
#include <time.h>
#include "store_fixture.h"
#include "storage/store_int.h"

#define N 100000

static void key_of(char *buf, size_t len, unsigned i)
{
	snprintf(buf, len, "/pods/ns-%03u/pod-%05u", i % 1000, i);
}

static unsigned *shuffled(void)
{
	unsigned *order = malloc(N * sizeof(*order)), i, j, t;
	uint32_t x = 12345;

	cr_assert_not_null(order);
	for (i = 0; i < N; i++)
		order[i] = i;
	for (i = N - 1; i > 0; i--) {
		x = x * 1103515245u + 12345u;
		j = (x >> 8) % (i + 1);
		t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	return order;
}

Test(index, hundred_thousand_keys_in_order)
{
	struct store_index ix;
	struct store_node *n;
	unsigned *order = shuffled(), i, seen = 0;
	char key[64], last[64] = "";

	cr_assert_eq(store__index_init(&ix), 0);
	for (i = 0; i < N; i++) {
		key_of(key, sizeof(key), order[i]);
		cr_assert_eq(store__index_put(&ix, key, json_integer(order[i])), 0);
	}
	cr_assert_eq(ix.count, N);
	for (n = ix.head[0]; n; n = n->next[0], seen++) {
		cr_assert_lt(strcmp(last, n->key), 0);
		snprintf(last, sizeof(last), "%s", n->key);
	}
	cr_assert_eq(seen, N);
	for (i = 0; i < N; i += 2) { /* remove every even key */
		key_of(key, sizeof(key), i);
		json_decref(store__index_take(&ix, key));
	}
	cr_assert_eq(ix.count, N / 2);
	for (i = 0; i < N; i++) {
		key_of(key, sizeof(key), i);
		n = store__index_get(&ix, key);
		cr_assert_eq(n != NULL, i % 2 == 1);
		if (n)
			cr_assert_eq(json_integer_value(n->obj), i);
	}
	n = store__index_seek(&ix, "/pods/ns-007/");
	cr_assert_str_eq(n->key, "/pods/ns-007/pod-00007");
	store__index_free(&ix);
	free(order);
}

Test(index, prefix_lists_skip_unrelated_keys)
{
	struct fx f;
	unsigned *order = shuffled(), i;
	char key[64];
	clock_t t0;
	double secs;

	fx_open(&f, false, 10);
	for (i = 0; i < N; i++) {
		key_of(key, sizeof(key), order[i]);
		cr_assert_eq(store_create(f.s, key, json_object(), NULL, NULL), 0);
	}
	t0 = clock();
	for (i = 0; i < 10000; i++)
		cr_assert_eq(store_count(f.s, "/pods/ns-500/"), N / 1000);
	secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	/* a scan of all keys would take minutes: 10^9 node visits */
	cr_assert_lt(secs, 3.0, "10000 prefix counts took %.2fs", secs);
	fx_settle(&f);
	fx_close(&f);
	free(order);
}

#include <criterion/criterion.h>
#include "core/printers/printers.h"

#define S 1000LL
#define M (60 * S)
#define H (60 * M)
#define D (24 * H)
#define Y (365 * D)

/* upstream's TestHumanDuration and TestHumanDurationBoundaries, in milliseconds */
static const struct {
	int64_t ms;
	const char *want;
} cases[] = {
	{ S, "1s" }, { 70 * S, "70s" }, { 190 * S, "3m10s" }, { 70 * M, "70m" }, { 47 * H, "47h" },
	{ 49 * H, "2d1h" }, { (8 * 24 + 2) * H, "8d" }, { 367 * D, "367d" },
	{ (365 * 2 * 24 + 25) * H, "2y1d" }, { (365 * 8 * 24 + 2) * H, "8y" },
	{ -2 * S, "<invalid>" }, { -2 * S + 1, "0s" }, { 0, "0s" }, { S - 1, "0s" },
	{ 2 * M - 1, "119s" }, { 2 * M, "2m" }, { 2 * M + S, "2m1s" }, { 10 * M - 1, "9m59s" },
	{ 10 * M, "10m" }, { 10 * M + S, "10m" }, { 3 * H - 1, "179m" }, { 3 * H, "3h" },
	{ 3 * H + M, "3h1m" }, { 8 * H - 1, "7h59m" }, { 8 * H, "8h" }, { 8 * H + 59 * M, "8h" },
	{ 2 * D - 1, "47h" }, { 2 * D, "2d" }, { 2 * D + H, "2d1h" }, { 8 * D - 1, "7d23h" },
	{ 8 * D, "8d" }, { 8 * D + 23 * H, "8d" }, { 2 * Y - 1, "729d" }, { 2 * Y, "2y" },
	{ 2 * Y + 23 * H, "2y" }, { 2 * Y + 23 * H + 59 * M, "2y" }, { 2 * Y + D - 1, "2y" },
	{ 2 * Y + D, "2y1d" }, { 3 * Y, "3y" }, { 4 * Y, "4y" }, { 5 * Y, "5y" }, { 6 * Y, "6y" },
	{ 7 * Y, "7y" }, { 8 * Y - 1, "7y364d" }, { 8 * Y, "8y" }, { 8 * Y + 364 * D, "8y" },
	{ 9 * Y, "9y" },
	/* not in upstream's table: the ends of the first ranges */
	{ 59 * S, "59s" }, { 60 * S, "60s" }, { 2 * M + 999, "2m" },
};

Test(duration, human_duration_matches_upstream_table)
{
	char buf[32];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_expect_str_eq(kube__human_duration(cases[i].ms, buf, sizeof(buf)), cases[i].want,
				 "%lld ms", (long long)cases[i].ms);
}

Test(duration, parse_time)
{
	int64_t t = kube__parse_time("2024-05-01T12:00:00Z");

	cr_assert_eq(t, 1714564800000LL);
	cr_assert_eq(kube__parse_time("2024-05-01T14:00:00+02:00"), t);
	cr_assert_eq(kube__parse_time("2024-05-01T12:00:00.250000Z"), t + 250);
	cr_assert_eq(kube__parse_time("1969-12-31T23:59:59Z"), -1000);
	cr_assert_eq(kube__parse_time("0001-01-01T00:00:00Z"), KUBE_TIME_ZERO);
	cr_assert_eq(kube__parse_time(NULL), KUBE_TIME_ZERO);
	cr_assert_eq(kube__parse_time(""), KUBE_TIME_ZERO);
	cr_assert_eq(kube__parse_time("2024-05-01 12:00:00Z"), KUBE_TIME_ZERO);
	cr_assert_eq(kube__parse_time("2024-05-01T12:00:00"), KUBE_TIME_ZERO);
}

Test(duration, age)
{
	char buf[32];
	int64_t now = kube__parse_time("2024-05-01T12:00:00Z");

	cr_assert_str_eq(kube__age("2024-05-01T11:54:48Z", now, buf, sizeof(buf)), "5m12s");
	cr_assert_str_eq(kube__age(NULL, now, buf, sizeof(buf)), "<unknown>");
	cr_assert_str_eq(kube__age("2024-05-01T12:00:05Z", now, buf, sizeof(buf)), "<invalid>");
	cr_assert_str_eq(kube__age("2024-05-01T12:00:01Z", now, buf, sizeof(buf)), "0s");
}

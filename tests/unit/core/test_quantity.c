#include <criterion/criterion.h>
#include <string.h>

#include "core/quantity.h"

static struct kube_quantity q(const char *s)
{
	struct kube_quantity v;

	cr_assert_eq(kube__quantity_parse(s, &v), 0, "%s should parse", s);
	return v;
}

static void assert_canonical(const char *in, const char *out, char format)
{
	struct kube_quantity v = q(in);
	char buf[64];

	cr_assert_str_eq(kube__quantity_format(&v, buf, sizeof(buf)), out, "String() of %s", in);
	cr_assert_eq(v.format, format, "format of %s: %c", in, v.format);
}

/* Cases from upstream's TestQuantityParse, with the canonical String(). */
Test(quantity, parse_and_canonical_string)
{
	static const struct { const char *in, *out; char format; } cases[] = {
		{"0", "0", 'D'}, {"0n", "0", 'D'}, {"0Ki", "0", 'B'}, {"0Mi", "0", 'B'},
		{"1", "1", 'D'}, {"1Ki", "1Ki", 'B'}, {"8Ki", "8Ki", 'B'}, {"7Mi", "7Mi", 'B'},
		{"6Gi", "6Gi", 'B'}, {"5Ti", "5Ti", 'B'}, {"4Pi", "4Pi", 'B'}, {"3Ei", "3Ei", 'B'},
		{"100Ti", "100Ti", 'B'}, {"5n", "5n", 'D'}, {"4u", "4u", 'D'}, {"3m", "3m", 'D'},
		{"8k", "8k", 'D'}, {"50k", "50k", 'D'}, {"40T", "40T", 'D'}, {"300T", "300T", 'D'},
		{"2P", "2P", 'D'}, {"1E", "1E", 'D'}, {"1E-3", "1e-3", 'E'}, {"1e3", "1e3", 'E'},
		{"1E18", "1e18", 'E'}, {"1e14", "100e12", 'E'}, {"1e13", "10e12", 'E'},
		{"100.035k", "100035", 'D'}, {"0.001", "1m", 'D'}, {"0.0005k", "500m", 'D'},
		{"0.5", "500m", 'D'}, {"0.00050k", "500m", 'D'}, {"0.5e0", "500e-3", 'E'},
		{"0.5e-1", "50e-3", 'E'}, {"10.035M", "10035k", 'D'}, {"1.2e3", "1200", 'E'},
		{"1.3E+6", "1300e3", 'E'}, {"1.7E18", "1700e15", 'E'}, {"9.01", "9010m", 'D'},
		{"7.123456M", "7123456", 'D'}, {"6.987654321G", "6987654321", 'D'},
		{"1.01E", "1010P", 'D'}, {"3.001n", "4n", 'D'}, {"1.1E-9", "2e-9", 'E'},
		{"0.0000000001", "1n", 'D'}, {"0.9n", "1n", 'D'}, {"0.00000012345", "124n", 'D'},
		{"9Ei", "9223372036854775807", 'B'}, {"9223372036854775807Ki", "9223372036854775807", 'B'},
		{"12E", "12E", 'D'}, {"100.035Ki", "102435840m", 'B'}, {"0.5Mi", "512Ki", 'B'},
		{"0.05Gi", "53687091200m", 'B'}, {"0.000000000001Ki", "2n", 'D'}, {".001", "1m", 'D'},
		{".0001k", "100m", 'D'}, {"1.", "1", 'D'}, {"1.G", "1G", 'D'}, {"1.5", "1500m", 'D'},
		{"1.5Gi", "1536Mi", 'B'}, {"1536Mi", "1536Mi", 'B'}, {"1024", "1024", 'D'},
		{"1025Ki", "1025Ki", 'B'}, {"-1Ki", "-1Ki", 'B'}, {"-9.01", "-9010m", 'D'},
		{"+12m", "12m", 'D'}, {"1000m", "1", 'D'}, {"1000M", "1G", 'D'}, {"-0.5Ki", "-512", 'B'},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_canonical(cases[i].in, cases[i].out, cases[i].format);
}

Test(quantity, invalid_inputs)
{
	static const char *bad[] = {"", "1.2.3", "1Kb", "abc", "1.1.M", "1+1.0M", "0.1mi",
				    "0.1am", "aoeu", ".5i", "1i", "-3.01i", "-3.01e-", " 1", "1 ",
				    "1e", "1KiB", "5GB"};
	struct kube_quantity v;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(kube__quantity_parse(bad[i], &v), -1, "%s should be rejected", bad[i]);
}

Test(quantity, compare_exactly)
{
	struct kube_quantity a, b;

	a = q("0.1"), b = q("100m");
	cr_assert_eq(kube__quantity_cmp(&a, &b), 0);
	a = q("1Gi"), b = q("1G");
	cr_assert_eq(kube__quantity_cmp(&a, &b), 1);
	cr_assert_eq(kube__quantity_cmp(&b, &a), -1);
	a = q("1e3"), b = q("1k");
	cr_assert_eq(kube__quantity_cmp(&a, &b), 0);
	a = q("1000000001n"), b = q("1");
	cr_assert_eq(kube__quantity_cmp(&a, &b), 1);
	a = q("-1"), b = q("0");
	cr_assert_eq(kube__quantity_cmp(&a, &b), -1);
	a = q("12E"), b = q("9223372036854775807");
	cr_assert_eq(kube__quantity_cmp(&a, &b), 1, "12E is beyond int64 and still ordered");
}

Test(quantity, value_and_milli_round_away_from_zero)
{
	struct kube_quantity v = q("1.5");

	cr_assert_eq(kube__quantity_value(&v), 2);
	cr_assert_eq(kube__quantity_milli(&v), 1500);
	cr_assert_eq(v.milli, 1500);
	v = q("-1.5");
	cr_assert_eq(kube__quantity_value(&v), -2);
	v = q("100m");
	cr_assert_eq(kube__quantity_value(&v), 1);
	cr_assert_eq(kube__quantity_milli(&v), 100);
	v = q("1n");
	cr_assert_eq(kube__quantity_milli(&v), 1);
	v = q("-1n");
	cr_assert_eq(kube__quantity_milli(&v), -1);
	v = q("1Gi");
	cr_assert_eq(kube__quantity_value(&v), 1073741824);
	v = q("12E");
	cr_assert_eq(kube__quantity_value(&v), INT64_MAX, "saturates");
}

Test(quantity, add_and_sub_are_exact)
{
	struct kube_quantity a = q("1Gi"), b = q("512Mi"), c = q("100m"), d = q("900m");
	char buf[64];

	kube__quantity_add(&a, &b);
	cr_assert_str_eq(kube__quantity_format(&a, buf, sizeof(buf)), "1536Mi");
	kube__quantity_add(&c, &d);
	cr_assert_str_eq(kube__quantity_format(&c, buf, sizeof(buf)), "1");
	cr_assert_eq(c.milli, 1000);
	kube__quantity_sub(&c, &d);
	kube__quantity_sub(&c, &d);
	cr_assert_str_eq(kube__quantity_format(&c, buf, sizeof(buf)), "-800m");

	struct kube_quantity z = q("0"), k = q("2Ki");
	kube__quantity_add(&z, &k);
	cr_assert_eq(z.format, 'B', "a zero takes the other operand's format");
	cr_assert_str_eq(kube__quantity_format(&z, buf, sizeof(buf)), "2Ki");
}

#include <criterion/criterion.h>
#include <string.h>

#include "core/selector.h"

static bool lmatch(const char *selector, const char *labels_json)
{
	char err[1024];
	struct kube_labelsel *sel = kube__labelsel_parse(selector, err, sizeof(err));
	json_t *labels = json_loads(labels_json, 0, NULL);

	cr_assert_not_null(sel, "%s: %s", selector, err);
	cr_assert_not_null(labels);
	bool m = kube__labelsel_match(sel, labels);
	json_decref(labels);
	kube__labelsel_free(sel);
	return m;
}

static void assert_label_error(const char *selector, const char *message)
{
	char err[2048] = "";
	struct kube_labelsel *sel = kube__labelsel_parse(selector, err, sizeof(err));

	cr_assert_null(sel, "%s should not parse", selector);
	cr_assert_str_eq(err, message, "error for %s", selector);
}

/* upstream TestSelectorMatches */
Test(labelsel, matches_as_upstream)
{
	cr_assert(lmatch("", "{\"x\":\"y\"}"));
	cr_assert(lmatch("x=y", "{\"x\":\"y\"}"));
	cr_assert(lmatch("x=y,z=w", "{\"x\":\"y\",\"z\":\"w\"}"));
	cr_assert(lmatch("x!=y,z!=w", "{\"x\":\"z\",\"z\":\"a\"}"));
	cr_assert(lmatch("notin=in", "{\"notin\":\"in\"}"));
	cr_assert(lmatch("x", "{\"x\":\"z\"}"));
	cr_assert(lmatch("!x", "{\"y\":\"z\"}"));
	cr_assert(lmatch("x>1", "{\"x\":\"2\"}"));
	cr_assert(lmatch("x<1", "{\"x\":\"0\"}"));
	cr_assert_not(lmatch("x=z", "{}"));
	cr_assert_not(lmatch("x=y", "{\"x\":\"z\"}"));
	cr_assert_not(lmatch("x=y,z=w", "{\"x\":\"w\",\"z\":\"w\"}"));
	cr_assert_not(lmatch("x!=y,z!=w", "{\"x\":\"z\",\"z\":\"w\"}"));
	cr_assert_not(lmatch("x", "{\"y\":\"z\"}"));
	cr_assert_not(lmatch("!x", "{\"x\":\"z\"}"));
	cr_assert_not(lmatch("x>1", "{\"x\":\"0\"}"));
	cr_assert_not(lmatch("x<1", "{\"x\":\"2\"}"));
	cr_assert_not(lmatch("x>1", "{\"x\":\"two\"}"));
}

Test(labelsel, set_based_and_absent_keys)
{
	cr_assert(lmatch("env in (prod, staging)", "{\"env\":\"staging\"}"));
	cr_assert_not(lmatch("env in (prod,staging)", "{}"));
	cr_assert(lmatch("env notin (prod)", "{}"), "notin matches an absent key");
	cr_assert(lmatch("env != prod", "{}"), "!= matches an absent key");
	cr_assert_not(lmatch("env notin (prod)", "{\"env\":\"prod\"}"));
	cr_assert(lmatch("x in (a,,b)", "{\"x\":\"\"}"), "empty values are values");
	cr_assert(lmatch("x notin ()", "{\"x\":\"a\"}"));
	cr_assert(lmatch("x=", "{\"x\":\"\"}"));
	cr_assert(lmatch("in in (in)", "{\"in\":\"in\"}"));
	cr_assert(lmatch("  app.kubernetes.io/name == web ,tier", "{\"app.kubernetes.io/name\":\"web\",\"tier\":\"x\"}"));
	cr_assert(lmatch("x in (foo,,baz),y,z notin ()", "{\"x\":\"foo\",\"y\":\"1\"}"));
}

Test(labelsel, empty_selects_everything)
{
	char err[256];
	struct kube_labelsel *a = kube__labelsel_parse(NULL, err, sizeof(err));
	struct kube_labelsel *b = kube__labelsel_parse("x", err, sizeof(err));

	cr_assert(kube__labelsel_empty(a));
	cr_assert(kube__labelsel_match(a, NULL));
	cr_assert_not(kube__labelsel_empty(b));
	cr_assert_not(kube__labelsel_match(b, NULL));
	kube__labelsel_free(a);
	kube__labelsel_free(b);
}

Test(labelsel, syntax_errors_as_upstream)
{
	assert_label_error("x==a==b", "found '==', expected: ',' or 'end of string'");
	assert_label_error("!x=a", "found '=', expected: ',' or 'end of string'");
	assert_label_error("x<a", "unable to parse requirement: values[0]: Invalid value: \"a\": "
			   "for 'Gt', 'Lt' operators, the value must be an integer");
	assert_label_error("(x)", "found '(', expected: !, identifier, or 'end of string'");
	assert_label_error("x,", "found '', expected: identifier after ','");
	assert_label_error("x in a", "unable to parse requirement: found 'a' expected: '('");
	assert_label_error("x in (a", "unable to parse requirement: found '', expected: ',' or ')'");
	assert_label_error("x ~ y", "unable to parse requirement: found '~', expected: "
			   "in, notin, =, ==, !=, gt, lt");
	assert_label_error("x=a||y=b", "unable to parse requirement: values[0][x]: Invalid value: "
			   "\"a||y\": a valid label must be an empty string or consist of alphanumeric "
			   "characters, '-', '_' or '.', and must start and end with an alphanumeric "
			   "character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for "
			   "validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
	assert_label_error("-x", "unable to parse requirement: <nil>: Invalid value: \"-x\": name "
			   "part must consist of alphanumeric characters, '-', '_' or '.', and must "
			   "start and end with an alphanumeric character (e.g. 'MyName',  or "
			   "'my.name',  or '123-abc', regex used for validation is "
			   "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");
	assert_label_error("Example.com/x", "unable to parse requirement: <nil>: Invalid value: "
			   "\"Example.com/x\": prefix part a lowercase RFC 1123 subdomain must consist "
			   "of lower case alphanumeric characters, '-' or '.', and must start and end "
			   "with an alphanumeric character (e.g. 'example.com', regex used for "
			   "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
	assert_label_error("/x", "unable to parse requirement: <nil>: Invalid value: \"/x\": "
			   "prefix part must be non-empty");
}

/* Several upstream messages for one key or value are joined with "; ". */
Test(labelsel, several_messages_joined)
{
	char sel[160];
	const char *a64 = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

	snprintf(sel, sizeof(sel), "x=%s-", a64);
	char want[1024];
	snprintf(want, sizeof(want), "unable to parse requirement: values[0][x]: Invalid value: "
		 "\"%s-\": must be no more than 63 characters; a valid label must be an empty "
		 "string or consist of alphanumeric characters, '-', '_' or '.', and must start "
		 "and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or "
		 "'12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
		 a64);
	assert_label_error(sel, want);
	snprintf(sel, sizeof(sel), "x/_%s", a64);
	snprintf(want, sizeof(want), "unable to parse requirement: <nil>: Invalid value: "
		 "\"x/_%s\": name part must be no more than 63 characters; name part must "
		 "consist of alphanumeric characters, '-', '_' or '.', and must start and end with "
		 "an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex "
		 "used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')", a64);
	assert_label_error(sel, want);
}

static struct kube_labelsel *from_json(const char *js, char *err, size_t len)
{
	json_t *v = json_loads(js, 0, NULL);

	cr_assert_not_null(v, "bad test JSON %s", js);
	struct kube_labelsel *sel = kube__labelsel_from_json(v, err, len);
	json_decref(v);
	return sel;
}

Test(labelsel, from_label_selector_object)
{
	char err[1024];
	struct kube_labelsel *sel = from_json(
		"{\"matchLabels\":{\"app\":\"web\"},\"matchExpressions\":["
		"{\"key\":\"tier\",\"operator\":\"In\",\"values\":[\"fe\",\"be\"]},"
		"{\"key\":\"canary\",\"operator\":\"DoesNotExist\"}]}", err, sizeof(err));
	json_t *yes = json_pack("{s:s,s:s}", "app", "web", "tier", "be");
	json_t *no = json_pack("{s:s,s:s,s:s}", "app", "web", "tier", "be", "canary", "1");

	cr_assert_not_null(sel, "%s", err);
	cr_assert(kube__labelsel_match(sel, yes));
	cr_assert_not(kube__labelsel_match(sel, no));
	kube__labelsel_free(sel);
	json_decref(yes);
	json_decref(no);

	sel = kube__labelsel_from_json(NULL, err, sizeof(err));
	cr_assert(kube__labelsel_empty(sel));
	kube__labelsel_free(sel);
	sel = from_json("{}", err, sizeof(err));
	cr_assert(kube__labelsel_empty(sel));
	kube__labelsel_free(sel);
}

static void assert_json_error(const char *js, const char *message)
{
	char err[1024] = "";

	cr_assert_null(from_json(js, err, sizeof(err)), "%s should be refused", js);
	cr_assert_str_eq(err, message);
}

Test(labelsel, label_selector_object_errors)
{
	assert_json_error("{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"In\"}]}",
			  "values: Invalid value: []string(nil): for 'in', 'notin' operators, "
			  "values set can't be empty");
	assert_json_error("{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"Exists\",\"values\":[\"x\"]}]}",
			  "values: Invalid value: []string{\"x\"}: values set must be empty for "
			  "exists and does not exist");
	assert_json_error("{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"in\",\"values\":[\"x\"]}]}",
			  "\"in\" is not a valid label selector operator");
	assert_json_error("{\"matchLabels\":{\"a\":\"-x-\"}}",
			  "values[0][a]: Invalid value: \"-x-\": a valid label must be an empty "
			  "string or consist of alphanumeric characters, '-', '_' or '.', and must "
			  "start and end with an alphanumeric character (e.g. 'MyValue',  or "
			  "'my_value',  or '12345', regex used for validation is "
			  "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
}

static bool fmatch(const char *selector, const char *obj_json)
{
	char err[256];
	struct kube_fieldsel *sel = kube__fieldsel_parse(selector, err, sizeof(err));
	json_t *obj = json_loads(obj_json, 0, NULL);

	cr_assert_not_null(sel, "%s: %s", selector, err);
	cr_assert_not_null(obj);
	bool m = kube__fieldsel_match(sel, obj);
	json_decref(obj);
	kube__fieldsel_free(sel);
	return m;
}

#define POD "{\"metadata\":{\"name\":\"web-1\",\"namespace\":\"default\"}," \
	    "\"spec\":{\"nodeName\":\"n1\",\"hostNetwork\":true,\"priority\":5}," \
	    "\"status\":{\"phase\":\"Running\"}}"

Test(fieldsel, matches_dotted_paths)
{
	cr_assert(fmatch("metadata.name=web-1", POD));
	cr_assert(fmatch("metadata.name==web-1,status.phase!=Pending", POD));
	cr_assert_not(fmatch("metadata.name=web-1,status.phase!=Running", POD));
	cr_assert(fmatch("spec.schedulerName=", POD), "a missing field is \"\"");
	cr_assert_not(fmatch("spec.schedulerName!=", POD));
	cr_assert(fmatch("spec.hostNetwork=true", POD));
	cr_assert(fmatch("spec.priority=5", POD));
	cr_assert(fmatch("", POD));
	cr_assert(fmatch("involvedObject.kind=Pod", "{\"involvedObject\":{\"kind\":\"Pod\"}}"));
	cr_assert(fmatch("metadata.name=a\\,b\\=c\\\\", "{\"metadata\":{\"name\":\"a,b=c\\\\\"}}"));
}

Test(fieldsel, terms_sorted_as_upstream)
{
	char err[256];
	struct kube_fieldsel *sel = kube__fieldsel_parse("status.phase=x,metadata.name=y,", err, sizeof(err));

	cr_assert_not_null(sel, "%s", err);
	cr_assert_eq(kube__fieldsel_count(sel), 2);
	cr_assert_str_eq(kube__fieldsel_field(sel, 0), "metadata.name");
	cr_assert_str_eq(kube__fieldsel_field(sel, 1), "status.phase");
	cr_assert_null(kube__fieldsel_field(sel, 2));
	kube__fieldsel_free(sel);
}

Test(fieldsel, errors_as_upstream)
{
	static const struct { const char *in, *msg; } cases[] = {
		{"abc", "invalid selector: 'abc'; can't understand 'abc'"},
		{"a=b,abc", "invalid selector: 'a=b,abc'; can't understand 'abc'"},
		{"a=b=c", "invalid field selector: unescaped character in value: 61"},
		{"a=b\\x", "invalid field selector: invalid escape sequence: \\x"},
		{"a=b\\", "invalid field selector: invalid escape sequence: \\"},
	};
	char err[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_assert_null(kube__fieldsel_parse(cases[i].in, err, sizeof(err)), "%s", cases[i].in);
		cr_assert_str_eq(err, cases[i].msg);
	}
}

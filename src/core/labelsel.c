/*
 * Label selectors as k8s.io/apimachinery/pkg/labels parses and matches them,
 * and metav1.LabelSelectorAsSelector for the JSON form. Error texts are
 * upstream's (field.Error rendering included) so API responses match.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/selector.h"
#include "core/validate_names.h"

enum op { OP_IN, OP_NOTIN, OP_EQ, OP_DEQ, OP_NEQ, OP_GT, OP_LT, OP_EXISTS, OP_DNE };

struct req {
	char *key;     /* label key */
	enum op op;    /* operator */
	char **vals;   /* values (sorted, unique for in/notin) */
	size_t nvals;
};

struct kube_labelsel {
	struct req *reqs; /* ANDed requirements, sorted by key */
	size_t n;
};

/* ---- messages ------------------------------------------------------------ */

/* A list of error strings rendered as utilerrors.Aggregate does. */
struct errs {
	char *msg[8]; /* deduplicated messages */
	int n;
};

static void errs_add(struct errs *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void errs_add(struct errs *e, const char *fmt, ...)
{
	va_list ap;
	char *m = NULL;

	va_start(ap, fmt);
	if (vasprintf(&m, fmt, ap) < 0)
		m = NULL;
	va_end(ap);
	for (int i = 0; m && i < e->n; i++)
		if (strcmp(e->msg[i], m) == 0) {
			free(m);
			return;
		}
	if (m && e->n < 8)
		e->msg[e->n++] = m;
	else
		free(m);
}

/* Write the aggregate into err ("e" or "[e1, e2]"), free it; -1 if any. */
static int errs_flush(struct errs *e, char *err, size_t len, const char *prefix)
{
	size_t o = 0;

	if (e->n == 0)
		return 0;
	o += (size_t)snprintf(err + o, len - o, "%s%s", prefix, e->n > 1 ? "[" : "");
	for (int i = 0; i < e->n; i++) {
		if (o < len)
			o += (size_t)snprintf(err + o, len - o, "%s%s", i ? ", " : "", e->msg[i]);
		free(e->msg[i]);
	}
	if (e->n > 1 && o < len)
		snprintf(err + o, len - o, "]");
	e->n = 0;
	return -1;
}

/* Go's %q for the ASCII the selectors deal in (strconv.Quote). */
static void go_quote(const char *s, char *out, size_t len)
{
	size_t o = 0;

	out[o++] = '"';
	for (; *s && o + 6 < len; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			o += (size_t)snprintf(out + o, len - o, "\\%c", c);
		else if (c == '\n')
			o += (size_t)snprintf(out + o, len - o, "\\n");
		else if (c == '\t')
			o += (size_t)snprintf(out + o, len - o, "\\t");
		else if (c < 0x20 || c == 0x7f)
			o += (size_t)snprintf(out + o, len - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	out[o++] = '"';
	out[o] = '\0';
}

/* field.Invalid(path, value, detail).Error() for a string value. */
static void invalid(struct errs *e, const char *path, const char *value, const char *detail)
{
	char q[600];

	go_quote(value, q, sizeof(q));
	errs_add(e, "%s: Invalid value: %s: %s", path, q, detail);
}

/* %#v of a []string: []string(nil) or []string{"a", "b"}. */
static void go_slice(char **vals, size_t n, bool nil, char *out, size_t len)
{
	size_t o = 0;
	char q[300];

	if (nil && n == 0) {
		snprintf(out, len, "[]string(nil)");
		return;
	}
	o += (size_t)snprintf(out, len, "[]string{");
	for (size_t i = 0; i < n && o < len; i++) {
		go_quote(vals[i], q, sizeof(q));
		o += (size_t)snprintf(out + o, len - o, "%s%s", i ? ", " : "", q);
	}
	if (o < len)
		snprintf(out + o, len - o, "}");
}

/* ---- validation (k8s.io/apimachinery/pkg/util/validation) ---------------- */

/* The messages of a validate_names.c check joined with "; ", as upstream
 * joins them, into @p out ("" when @p s is valid). */
static const char *name_errors(int (*check)(const char *, struct kube_name_errs *),
			       const char *s, char *out, size_t len)
{
	struct kube_name_errs ne = {0};
	size_t o = 0;

	out[0] = '\0';
	check(s, &ne);
	for (int i = 0; i < ne.n && o < len; i++)
		o += (size_t)snprintf(out + o, len - o, "%s%s", i ? "; " : "", ne.msg[i]);
	return out;
}

static bool validate_key(struct errs *e, const char *path, const char *k)
{
	char msg[2048];

	if (!*name_errors(kube__names_qualified, k, msg, sizeof(msg)))
		return true;
	invalid(e, path, k, msg);
	return false;
}

static void validate_value(struct errs *e, const char *key, size_t i, const char *v)
{
	char path[512], msg[1024];

	if (!*name_errors(kube__names_label_value, v, msg, sizeof(msg)))
		return;
	snprintf(path, sizeof(path), "values[%zu][%s]", i, key);
	invalid(e, path, v, msg);
}

static bool parse_int64(const char *s)
{
	char *end;

	if (!*s || isspace((unsigned char)*s))
		return false;
	errno = 0;
	strtoll(s, &end, 10);
	return errno == 0 && *end == '\0';
}

/* labels.NewRequirement's checks; @p nil says the values slice was nil. */
static void check_requirement(struct errs *e, const struct req *r, bool nil)
{
	char slice[1024];

	validate_key(e, "key", r->key);
	go_slice(r->vals, r->nvals, nil, slice, sizeof(slice));
	switch (r->op) {
	case OP_IN:
	case OP_NOTIN:
		if (r->nvals == 0)
			errs_add(e, "values: Invalid value: %s: for 'in', 'notin' operators, values set can't be empty", slice);
		break;
	case OP_EQ:
	case OP_DEQ:
	case OP_NEQ:
		if (r->nvals != 1)
			errs_add(e, "values: Invalid value: %s: exact-match compatibility requires one single value", slice);
		break;
	case OP_EXISTS:
	case OP_DNE:
		if (r->nvals != 0)
			errs_add(e, "values: Invalid value: %s: values set must be empty for exists and does not exist", slice);
		break;
	case OP_GT:
	case OP_LT:
		if (r->nvals != 1)
			errs_add(e, "values: Invalid value: %s: for 'Gt', 'Lt' operators, exactly one value is required", slice);
		for (size_t i = 0; i < r->nvals; i++)
			if (!parse_int64(r->vals[i])) {
				char path[32];
				snprintf(path, sizeof(path), "values[%zu]", i);
				invalid(e, path, r->vals[i], "for 'Gt', 'Lt' operators, the value must be an integer");
			}
		break;
	}
	for (size_t i = 0; i < r->nvals; i++)
		validate_value(e, r->key, i, r->vals[i]);
}

/* ---- lexer and parser (labels.Lexer / labels.Parser) --------------------- */

enum tok { T_ERROR, T_END, T_CLOSEPAR, T_COMMA, T_NOT, T_DEQ, T_EQ, T_GT, T_ID,
	   T_IN, T_LT, T_NEQ, T_NOTIN, T_OPENPAR };

struct token {
	enum tok tok; /* kind */
	char *lit;    /* literal text (or the lexer's error message) */
};

struct parser {
	struct token *items; /* every token, ending with T_END */
	size_t n, pos;
};

static const struct { const char *s; enum tok t; } keywords[] = {
	{")", T_CLOSEPAR}, {",", T_COMMA}, {"!", T_NOT}, {"==", T_DEQ}, {"=", T_EQ},
	{">", T_GT}, {"in", T_IN}, {"<", T_LT}, {"!=", T_NEQ}, {"notin", T_NOTIN}, {"(", T_OPENPAR},
};

static enum tok keyword(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (strlen(keywords[i].s) == n && memcmp(keywords[i].s, s, n) == 0)
			return keywords[i].t;
	return T_ERROR;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_special(char c)
{
	return c && strchr("=!(),><", c);
}

/* scanSpecialSymbol: the longest run of symbols that is an operator. */
static struct token lex_special(const char *s, size_t *pos)
{
	size_t start = *pos, i = start, best = 0;
	enum tok t = T_ERROR;

	while (is_special(s[i])) {
		enum tok k = keyword(s + start, i + 1 - start);
		if (k != T_ERROR) {
			t = k;
			best = i + 1;
		} else if (t != T_ERROR) {
			break;
		}
		i++;
	}
	if (t == T_ERROR) {
		char *msg = NULL;
		if (asprintf(&msg, "error expected: keyword found '%.*s'", (int)(i - start), s + start) < 0)
			msg = NULL;
		*pos = i;
		return (struct token){T_ERROR, msg};
	}
	*pos = best;
	return (struct token){t, strndup(s + start, best - start)};
}

static struct token lex(const char *s, size_t *pos)
{
	while (is_space(s[*pos]))
		(*pos)++;
	if (!s[*pos])
		return (struct token){T_END, strdup("")};
	if (is_special(s[*pos]))
		return lex_special(s, pos);
	size_t start = *pos;
	while (s[*pos] && !is_special(s[*pos]) && !is_space(s[*pos]))
		(*pos)++;
	enum tok k = keyword(s + start, *pos - start);
	return (struct token){k == T_ERROR ? T_ID : k, strndup(s + start, *pos - start)};
}

static void parser_free(struct parser *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->items[i].lit);
	free(p->items);
}

static int scan(struct parser *p, const char *s)
{
	size_t pos = 0, cap = 0;

	for (;;) {
		if (p->n == cap) {
			cap = cap ? cap * 2 : 8;
			struct token *t = realloc(p->items, cap * sizeof(*t));
			if (!t)
				return -1;
			p->items = t;
		}
		struct token t = lex(s, &pos);
		if (!t.lit)
			return -1;
		p->items[p->n++] = t;
		if (t.tok == T_END)
			return 0;
	}
}

/* In a Values context "in" and "notin" are plain identifiers. */
static enum tok look(const struct parser *p, bool values, const char **lit)
{
	const struct token *t = &p->items[p->pos];

	if (lit)
		*lit = t->lit;
	return values && (t->tok == T_IN || t->tok == T_NOTIN) ? T_ID : t->tok;
}

static enum tok take(struct parser *p, bool values, const char **lit)
{
	enum tok t = look(p, values, lit);

	p->pos++;
	return t;
}

static void req_free(struct req *r)
{
	free(r->key);
	for (size_t i = 0; i < r->nvals; i++)
		free(r->vals[i]);
	free(r->vals);
}

static int add_value(struct req *r, const char *v)
{
	/* a set: keep values sorted and unique (sets.String.List()) */
	size_t i = 0;
	while (i < r->nvals && strcmp(r->vals[i], v) < 0)
		i++;
	if (i < r->nvals && strcmp(r->vals[i], v) == 0)
		return 0;
	char **vals = realloc(r->vals, (r->nvals + 1) * sizeof(*vals));
	if (!vals)
		return -1;
	r->vals = vals;
	memmove(vals + i + 1, vals + i, (r->nvals - i) * sizeof(*vals));
	if (!(vals[i] = strdup(v))) {
		memmove(vals + i, vals + i + 1, (r->nvals - i) * sizeof(*vals));
		return -1;
	}
	r->nvals++;
	return 0;
}

/* parseIdentifiersList, after "(" and before ")". */
static int parse_identifiers(struct parser *p, struct req *r, struct errs *e)
{
	const char *lit, *lit2;

	for (;;) {
		enum tok t = take(p, true, &lit);
		if (t == T_ID) {
			if (add_value(r, lit) != 0)
				return -1;
			enum tok t2 = look(p, true, &lit2);
			if (t2 == T_COMMA)
				continue;
			if (t2 == T_CLOSEPAR)
				return 0;
			errs_add(e, "found '%s', expected: ',' or ')'", lit2);
			return -1;
		}
		if (t != T_COMMA) {
			errs_add(e, "found '%s', expected: ',', or identifier", lit);
			return -1;
		}
		/* "(,", ",)" and ",," each stand for the empty value */
		if ((r->nvals == 0 && add_value(r, "") != 0))
			return -1;
		enum tok t2 = look(p, true, NULL);
		if (t2 == T_CLOSEPAR)
			return add_value(r, "");
		if (t2 == T_COMMA) {
			p->pos++;
			if (add_value(r, "") != 0)
				return -1;
		}
	}
}

static int parse_values(struct parser *p, struct req *r, struct errs *e)
{
	const char *lit;

	if (take(p, true, &lit) != T_OPENPAR) {
		errs_add(e, "found '%s' expected: '('", lit);
		return -1;
	}
	enum tok t = look(p, true, &lit);
	if (t == T_CLOSEPAR) {
		p->pos++;
		return add_value(r, "");
	}
	if (t != T_ID && t != T_COMMA) {
		errs_add(e, "found '%s', expected: ',', ')' or identifier", lit);
		return -1;
	}
	if (parse_identifiers(p, r, e) != 0)
		return -1;
	if (take(p, true, NULL) != T_CLOSEPAR) {
		errs_add(e, "found '%s', expected: ')'", lit);
		return -1;
	}
	return 0;
}

static int parse_exact_value(struct parser *p, struct req *r, struct errs *e)
{
	const char *lit;
	enum tok t = look(p, true, NULL);

	if (t == T_END || t == T_COMMA)
		return add_value(r, "");
	if (take(p, true, &lit) == T_ID)
		return add_value(r, lit);
	errs_add(e, "found '%s', expected: identifier", lit);
	return -1;
}

static int parse_operator(struct parser *p, struct req *r, struct errs *e)
{
	const char *lit;

	switch (take(p, false, &lit)) {
	case T_IN: r->op = OP_IN; return 0;
	case T_EQ: r->op = OP_EQ; return 0;
	case T_DEQ: r->op = OP_DEQ; return 0;
	case T_GT: r->op = OP_GT; return 0;
	case T_LT: r->op = OP_LT; return 0;
	case T_NOTIN: r->op = OP_NOTIN; return 0;
	case T_NEQ: r->op = OP_NEQ; return 0;
	default:
		errs_add(e, "found '%s', expected: in, notin, =, ==, !=, gt, lt", lit);
		return -1;
	}
}

/* parseRequirement: [!] key [op values]. */
static int parse_requirement(struct parser *p, struct req *r, struct errs *e)
{
	const char *lit;
	enum tok t = take(p, true, &lit);
	bool not = t == T_NOT;

	if (not)
		t = take(p, true, &lit);
	if (t != T_ID) {
		errs_add(e, "found '%s', expected: identifier", lit);
		return -1;
	}
	if (!validate_key(e, "<nil>", lit) || !(r->key = strdup(lit)))
		return -1;
	enum tok next = look(p, true, NULL);
	if (not || next == T_END || next == T_COMMA) {
		r->op = not ? OP_DNE : OP_EXISTS;
	} else {
		if (parse_operator(p, r, e) != 0)
			return -1;
		int rc = r->op == OP_IN || r->op == OP_NOTIN ? parse_values(p, r, e)
							      : parse_exact_value(p, r, e);
		if (rc != 0)
			return -1;
	}
	check_requirement(e, r, false);
	return e->n ? -1 : 0;
}

static int sel_append(struct kube_labelsel *sel, struct req *r)
{
	struct req *reqs = realloc(sel->reqs, (sel->n + 1) * sizeof(*reqs));

	if (!reqs)
		return -1;
	sel->reqs = reqs;
	sel->reqs[sel->n++] = *r;
	return 0;
}

static int req_cmp(const void *a, const void *b)
{
	return strcmp(((const struct req *)a)->key, ((const struct req *)b)->key);
}

/* The parse loop: requirements separated by commas. */
static int parse_all(struct parser *p, struct kube_labelsel *sel, char *err, size_t errlen)
{
	struct errs e = {0};
	const char *lit;

	for (;;) {
		enum tok t = look(p, true, &lit);
		if (t == T_END)
			return 0;
		if (t != T_ID && t != T_NOT) {
			errs_add(&e, "found '%s', expected: !, identifier, or 'end of string'", lit);
			return errs_flush(&e, err, errlen, "");
		}
		struct req r = {0};
		if (parse_requirement(p, &r, &e) != 0 || sel_append(sel, &r) != 0) {
			req_free(&r);
			if (e.n == 0)
				errs_add(&e, "out of memory");
			return errs_flush(&e, err, errlen, "unable to parse requirement: ");
		}
		t = take(p, true, &lit);
		if (t == T_END)
			return 0;
		if (t != T_COMMA) {
			errs_add(&e, "found '%s', expected: ',' or 'end of string'", lit);
			return errs_flush(&e, err, errlen, "");
		}
		enum tok t2 = look(p, true, &lit);
		if (t2 != T_ID && t2 != T_NOT) {
			errs_add(&e, "found '%s', expected: identifier after ','", lit);
			return errs_flush(&e, err, errlen, "");
		}
	}
}

struct kube_labelsel *kube__labelsel_parse(const char *s, char *err, size_t errlen)
{
	struct kube_labelsel *sel = calloc(1, sizeof(*sel));
	struct parser p = {0};

	if (!sel || scan(&p, s ? s : "") != 0) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (parse_all(&p, sel, err, errlen) != 0)
		goto fail;
	parser_free(&p);
	if (sel->n > 1)
		qsort(sel->reqs, sel->n, sizeof(*sel->reqs), req_cmp);
	return sel;
fail:
	parser_free(&p);
	kube__labelsel_free(sel);
	return NULL;
}

/* ---- metav1.LabelSelector ------------------------------------------------ */

static int json_requirement(const json_t *expr, struct req *r, struct errs *e)
{
	static const struct { const char *s; enum op op; } ops[] = {
		{"In", OP_IN}, {"NotIn", OP_NOTIN}, {"Exists", OP_EXISTS}, {"DoesNotExist", OP_DNE},
	};
	const char *key = json_string_value(json_object_get(expr, "key"));
	const char *op = json_string_value(json_object_get(expr, "operator"));
	const json_t *vals = json_object_get(expr, "values"), *v;
	size_t i, k;
	char q[300];

	for (k = 0; k < 4 && !(op && strcmp(op, ops[k].s) == 0); k++)
		;
	if (k == 4) {
		go_quote(op ? op : "", q, sizeof(q));
		errs_add(e, "%s is not a valid label selector operator", q);
		return -1;
	}
	r->op = ops[k].op;
	if (!(r->key = strdup(key ? key : "")))
		return -1;
	json_array_foreach(vals, i, v) {
		char **nv = realloc(r->vals, (r->nvals + 1) * sizeof(*nv));
		if (!nv)
			return -1;
		r->vals = nv;
		if (!json_is_string(v) || !(r->vals[r->nvals] = strdup(json_string_value(v)))) {
			errs_add(e, "values[%zu]: Invalid value: must be a string", i);
			return -1;
		}
		r->nvals++;
	}
	/* upstream copies Values with append([]string(nil), ...): nil when empty */
	check_requirement(e, r, true);
	return e->n ? -1 : 0;
}

static int json_match_labels(struct kube_labelsel *sel, const json_t *labels, struct errs *e)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)labels, k, v) {
		struct req r = {.op = OP_EQ};
		if (!json_is_string(v)) {
			errs_add(e, "matchLabels[%s]: Invalid value: must be a string", k);
			return -1;
		}
		if (!(r.key = strdup(k)) || add_value(&r, json_string_value(v)) != 0) {
			req_free(&r);
			return -1;
		}
		check_requirement(e, &r, false);
		if (e->n || sel_append(sel, &r) != 0) {
			req_free(&r);
			return -1;
		}
	}
	return 0;
}

struct kube_labelsel *kube__labelsel_from_json(const json_t *js, char *err, size_t errlen)
{
	struct kube_labelsel *sel = calloc(1, sizeof(*sel));
	struct errs e = {0};
	const json_t *expr;
	size_t i;

	if (!sel)
		goto nomem;
	if (!js || json_is_null(js))
		return sel;
	if (json_match_labels(sel, json_object_get(js, "matchLabels"), &e) != 0)
		goto fail;
	json_array_foreach(json_object_get(js, "matchExpressions"), i, expr) {
		struct req r = {0};
		if (json_requirement(expr, &r, &e) != 0 || sel_append(sel, &r) != 0) {
			req_free(&r);
			goto fail;
		}
	}
	if (sel->n > 1)
		qsort(sel->reqs, sel->n, sizeof(*sel->reqs), req_cmp);
	return sel;
fail:
	if (e.n == 0)
		goto nomem;
	errs_flush(&e, err, errlen, "");
	kube__labelsel_free(sel);
	return NULL;
nomem:
	snprintf(err, errlen, "out of memory");
	kube__labelsel_free(sel);
	return NULL;
}

/* ---- matching ------------------------------------------------------------ */

static bool has_value(const struct req *r, const char *v)
{
	for (size_t i = 0; i < r->nvals; i++)
		if (strcmp(r->vals[i], v) == 0)
			return true;
	return false;
}

static bool req_match(const struct req *r, const json_t *labels)
{
	const char *v = json_string_value(json_object_get(labels, r->key));
	bool present = json_object_get(labels, r->key) != NULL;
	char *end;

	switch (r->op) {
	case OP_IN:
	case OP_EQ:
	case OP_DEQ:
		return v && has_value(r, v);
	case OP_NOTIN:
	case OP_NEQ:
		return !v || !has_value(r, v);
	case OP_EXISTS:
		return present;
	case OP_DNE:
		return !present;
	case OP_GT:
	case OP_LT:
		if (!v || !parse_int64(v) || r->nvals != 1 || !parse_int64(r->vals[0]))
			return false;
		long long have = strtoll(v, &end, 10), want = strtoll(r->vals[0], &end, 10);
		return r->op == OP_GT ? have > want : have < want;
	}
	return false;
}

bool kube__labelsel_match(const struct kube_labelsel *sel, const json_t *labels)
{
	for (size_t i = 0; i < sel->n; i++)
		if (!req_match(&sel->reqs[i], labels))
			return false;
	return true;
}

bool kube__labelsel_empty(const struct kube_labelsel *sel)
{
	return sel->n == 0;
}

void kube__labelsel_free(struct kube_labelsel *sel)
{
	if (!sel)
		return;
	for (size_t i = 0; i < sel->n; i++)
		req_free(&sel->reqs[i]);
	free(sel->reqs);
	free(sel);
}

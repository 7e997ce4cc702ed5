/*
 * Selections of lists and watches: parsing, matching, and the events a
 * watch on a selection reports.
 */
#include <criterion/criterion.h>
#include <string.h>
#include "core/objfilter.h"
#include "core/registry.h"
#include "libkube/errors.h"

static json_t *pod(const char *app, const char *phase)
{
	return json_pack("{s:{s:s, s:{s:s}}, s:{s:s}}", "metadata", "name", "p", "labels", "app", app,
			 "status", "phase", phase);
}

Test(objfilter, events_follow_the_selection)
{
	struct kube_objfilter f;
	json_t *web = pod("web", "Running"), *db = pod("db", "Running");

	cr_assert_eq(kube__objfilter_parse(&f, kube__registry_find("pods"), "app=web", NULL, NULL), 0);
	cr_assert_str_eq(kube__objfilter_event(&f, STORE_ADDED, web, NULL), "ADDED");
	cr_assert_null(kube__objfilter_event(&f, STORE_ADDED, db, NULL));
	cr_assert_str_eq(kube__objfilter_event(&f, STORE_MODIFIED, web, web), "MODIFIED");
	cr_assert_str_eq(kube__objfilter_event(&f, STORE_MODIFIED, web, db), "ADDED");
	cr_assert_str_eq(kube__objfilter_event(&f, STORE_MODIFIED, db, web), "DELETED");
	cr_assert_null(kube__objfilter_event(&f, STORE_MODIFIED, db, db));
	cr_assert_str_eq(kube__objfilter_event(&f, STORE_DELETED, web, web), "DELETED");
	cr_assert_null(kube__objfilter_event(&f, STORE_DELETED, db, db));
	kube__objfilter_free(&f);
	json_decref(web);
	json_decref(db);
}

Test(objfilter, fields_are_checked_per_kind)
{
	struct kube_objfilter f;
	json_t *st = NULL, *p = pod("web", "Running");

	cr_assert_eq(kube__objfilter_parse(&f, kube__registry_find("pods"), NULL, "status.phase=Running", NULL), 0);
	cr_assert(kube__objfilter_match(&f, p));
	kube__objfilter_free(&f);
	cr_assert_eq(kube__objfilter_parse(&f, kube__registry_find("configmaps"), NULL,
					   "status.phase=Running", &st), KUBE_EINVAL);
	cr_assert_str_eq(json_string_value(json_object_get(st, "message")),
			 "field label not supported: status.phase");
	json_decref(st);
	st = NULL;
	cr_assert_eq(kube__objfilter_parse(&f, kube__registry_find("pods"), "app in (", NULL, &st),
		     KUBE_EINVAL);
	json_decref(st);
	json_decref(p);
}

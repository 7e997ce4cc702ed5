/*
 * PATCH: answered once the patch engine is in (see rest_list.h).
 */
#include "core/api/rest_list.h"

void kube__rest_serve_patch(struct kube_api_call *a)
{
	kube__rest_failf(a, KUBE_EUNSUPPORTED, "the server does not support this patch type yet");
}

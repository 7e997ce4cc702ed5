/*
 * Internal to the pod spec validation files (podspec_*.c).
 */
#ifndef KUBE_CORE_KINDS_PODSPEC_H
#define KUBE_CORE_KINDS_PODSPEC_H

#include <jansson.h>

/* ValidatePortNumOrName on an IntOrString JSON value. */
void kube__check_port_num_or_name(json_t *causes, const json_t *v, const char *path);
/* protocol of obj: Required, or NotSupported outside SCTP/TCP/UDP. */
void kube__check_protocol(json_t *causes, const json_t *obj, const char *base);
/* validateLocalDescendingPath: relative, no '..' element. */
void kube__check_local_path(json_t *causes, const char *s, const char *path);
/* validateContainerCommon; @p vols is the object of valid volume names. */
void kube__validate_container_common(const json_t *c, const json_t *vols, const char *base,
				     json_t *causes);
/* ValidateResourceRequirements for a container's resources. */
void kube__validate_resources(const json_t *res, const char *base, json_t *causes);
/* validateLivenessProbe / validateReadinessProbe / validateStartupProbe. */
void kube__validate_probe(const json_t *probe, const char *base, bool success_must_be_1,
			  json_t *causes);
/* ValidateVolumes: returns a new object whose keys are the valid volume names. */
json_t *kube__validate_volumes(const json_t *vols, const char *base, json_t *causes);

#endif

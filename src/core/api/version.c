/*
 * /version: the version.Info of the Kubernetes release whose API libkube
 * serves. Clients read major/minor for version skew checks (kubectl warns
 * beyond one minor) and gitVersion for display; the build fields are the
 * upstream v1.32.0 release's, the platform is this build's.
 */
#include "core/api/apimeta.h"

#if defined(__x86_64__)
#define KUBE_ARCH "amd64"
#elif defined(__aarch64__)
#define KUBE_ARCH "arm64"
#elif defined(__i386__)
#define KUBE_ARCH "386"
#elif defined(__arm__)
#define KUBE_ARCH "arm"
#elif defined(__powerpc64__) && defined(__LITTLE_ENDIAN__)
#define KUBE_ARCH "ppc64le"
#elif defined(__s390x__)
#define KUBE_ARCH "s390x"
#elif defined(__riscv) && __riscv_xlen == 64
#define KUBE_ARCH "riscv64"
#else
#define KUBE_ARCH "unknown"
#endif

/*
 * A new version.Info object, its keys in upstream's order:
 * {"major":"1","minor":"32","gitVersion":"v1.32.0",...,"platform":"linux/amd64"}.
 * NULL on allocation failure.
 */
json_t *kube__api_version_info(void)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
			 "major", "1",
			 "minor", "32",
			 "gitVersion", "v1.32.0",
			 "gitCommit", "70d3cc986aa8221cd1dfb1121852688902d3bf53",
			 "gitTreeState", "clean",
			 "buildDate", "2024-12-11T17:59:15Z",
			 "goVersion", "go1.23.3",
			 "compiler", "gc",
			 "platform", "linux/" KUBE_ARCH);
}

#!/usr/bin/env bash
# Install what is missing, build (a release build and an ASan/UBSan build),
# and run every test: unit tests under the sanitizers, then the integration
# tests against the release build.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
echo "== build (release)"; scripts/build.sh build
echo "== build (asan+ubsan)"; scripts/build.sh build-asan -DKUBE_SANITIZE=ON
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
echo "== unit tests (asan+ubsan)"
(cd build-asan && ctest -L unit --output-on-failure -j"$(nproc)")
echo "== integration tests"
status=0
for t in tests/integration/*.sh; do
	[ -e "$t" ] || continue
	echo "-- $t"
	if ! BUILD=build bash "$t"; then echo "FAILED: $t"; status=1; fi
done
exit $status

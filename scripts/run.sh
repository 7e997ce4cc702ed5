#!/usr/bin/env bash
# Quick start: install what is missing, build, and run kubed on the embedded
# default store (./kubed-data) with the demo workload applied.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh build
exec build/bin/kubed --data-dir "${KUBED_DATA_DIR:-kubed-data}" --demo "$@"

#!/usr/bin/env bash
# Quick start: install what is missing, build, and run kubed on the embedded
# default store (./kubed-data) with the demo workload applied.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh build
dir=${KUBED_DATA_DIR:-kubed-data}
mkdir -p "$dir"
exec build/bin/kubed --data-dir "$dir" --write-kubeconfig "$dir/kubeconfig" \
	--nodes 1 --runtime simulated --demo "$@"

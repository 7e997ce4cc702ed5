#!/usr/bin/env bash
# Kill a writing cluster with SIGKILL many times; every acknowledged write
# must survive each restart (see crash_test.c).
set -euo pipefail
BUILD=${BUILD:-build}
dir=$(mktemp -d /tmp/libkube-crash-XXXXXX)
trap 'rm -rf "$dir"' EXIT
"$BUILD/bin/crash_test" "$dir" "${CRASH_KILLS:-50}"

#!/usr/bin/env bash
# The official Python client against kubed.
set -uo pipefail
cd "$(dirname "$0")/../.."
source tests/integration/lib/kubed.sh
kubed_start
/usr/bin/python3 -W ignore::ResourceWarning tests/integration/python/test_client.py

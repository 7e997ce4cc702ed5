#!/usr/bin/env bash
# REST API benchmark over keep-alive TLS with wrk (Debian's): GET of one
# object, LIST of 1000 pods as JSON and as a Table, and CREATE. Prints one
# line per figure: requests/s and p50/p99 latency.
#   tests/bench/bench_api_http.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
BUILD=${BUILD:-build}
source tests/integration/lib/kubed.sh
DUR=${1:-5}
kubed_start

kubectl create namespace bench >/dev/null
python3 - >"$KTEST_DIR/pods.yaml" <<'PY'
for i in range(1000):
    print("---\napiVersion: v1\nkind: Pod\nmetadata: {name: pod-%04d, namespace: bench, labels: {app: bench}}\n"
          "spec: {containers: [{name: c, image: 'busybox:1.36'}]}" % i)
PY
kubectl create -f "$KTEST_DIR/pods.yaml" >/dev/null
kubectl create configmap target -n bench --from-literal=a=b >/dev/null
kubectl create sa bench -n bench >/dev/null
kubectl create clusterrolebinding bench --clusterrole cluster-admin --serviceaccount bench:bench >/dev/null
TOKEN=$(kubectl create token bench -n bench --duration=1h)
SERVER=$(kubectl config view -o jsonpath='{.clusters[0].cluster.server}')

cat >"$KTEST_DIR/create.lua" <<'LUA'
-- each wrk thread numbers its own names: t<thread>-<n>
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
local n = 0
request = function()
  n = n + 1
  local body = string.format('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"t%d-%d"},"data":{"k":"v"}}',
                             tid, n)
  -- headers given to wrk.format replace wrk.headers: keep the token
  local h = {}
  for k, v in pairs(wrk.headers) do h[k] = v end
  h["Content-Type"] = "application/json"
  return wrk.format("POST", nil, h, body)
end
LUA

# run NAME URL [wrk args...]: print "api.http.NAME req/s=.. p50_ms=.. p99_ms=.."
run() {
	local name=$1 url=$2; shift 2
	wrk -t2 -c8 -d"${DUR}s" --timeout 10s --latency -H "Authorization: Bearer $TOKEN" "$@" "$url" >"$KTEST_DIR/wrk.out"
	python3 - "$name" "$KTEST_DIR/wrk.out" <<'PY'
import re, sys
text = open(sys.argv[2]).read()
def ms(v):
    n, unit = re.match(r"([\d.]+)(us|ms|s|m)", v).groups()
    return float(n) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]
rps = re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)
p50 = re.search(r"50%\s+(\S+)", text).group(1)
p99 = re.search(r"99%\s+(\S+)", text).group(1)
errs = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
print("api.http.%-12s req/s=%.0f p50_ms=%.2f p99_ms=%.2f%s" % (sys.argv[1], float(rps), ms(p50), ms(p99),
      " non2xx=%s" % errs.group(1) if errs else ""))
PY
}

run get "$SERVER/api/v1/namespaces/bench/configmaps/target"
run list1000 "$SERVER/api/v1/namespaces/bench/pods"
run list1000.table "$SERVER/api/v1/namespaces/bench/pods" -H "Accept: application/json;as=Table;v=v1;g=meta.k8s.io"
run create "$SERVER/api/v1/namespaces/bench/configmaps" -s "$KTEST_DIR/create.lua"

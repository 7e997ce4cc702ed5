#!/usr/bin/env bash
# Bad input gets the right Status and changes nothing: malformed bodies,
# wrong content types, huge bodies, unknown resources, invalid names, slow
# clients, unauthenticated and forbidden requests.
set -uo pipefail
cd "$(dirname "$0")/../.."
source tests/integration/lib/kubed.sh
kubed_start

SERVER=$(kubectl config view -o jsonpath='{.clusters[0].cluster.server}')
kubectl config view --raw -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d >"$KTEST_DIR/ca.crt"
kubectl config view --raw -o jsonpath='{.users[0].user.client-certificate-data}' | base64 -d >"$KTEST_DIR/admin.crt"
kubectl config view --raw -o jsonpath='{.users[0].user.client-key-data}' | base64 -d >"$KTEST_DIR/admin.key"
C=(curl -sS --cacert "$KTEST_DIR/ca.crt" --cert "$KTEST_DIR/admin.crt" --key "$KTEST_DIR/admin.key" --max-time 20)
CMS="$SERVER/api/v1/namespaces/default/configmaps"

ok "malformed JSON" "${C[@]}" -X POST -H 'Content-Type: application/json' --data-binary '{"apiVersion":"v1","kind":' "$CMS"
has "400" '"code":400'
ok "malformed YAML" "${C[@]}" -X POST -H 'Content-Type: application/yaml' --data-binary $'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n bad: [' "$CMS"
has "400 with line" '"code":400.*|line [0-9]+'
has "line number" 'line [0-9]+'
ok "wrong content type" "${C[@]}" -X POST -H 'Content-Type: text/plain' --data-binary 'hello' "$CMS"
has "415" '"code":415'
head -c 4000000 /dev/zero | tr '\0' 'a' >"$KTEST_DIR/huge"
ok "huge body" "${C[@]}" -X POST -H 'Content-Type: application/json' --data-binary @"$KTEST_DIR/huge" "$CMS"
has "413" '"code":413'
ok "unknown resource" "${C[@]}" "$SERVER/api/v1/namespaces/default/gizmos"
has "404" '"code":404'
ok "unknown group" "${C[@]}" "$SERVER/apis/example.com/v1/things"
has "404" '"code":404'
ok "invalid name" "${C[@]}" -X POST -H 'Content-Type: application/json' --data-binary '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"Bad_Name"}}' "$CMS"
has "422 with causes" '"code":422'
has "field path" '"field":"metadata.name"'
ok "wrong kind for the URL" "${C[@]}" -X POST -H 'Content-Type: application/json' --data-binary '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"}}' "$CMS"
has "400" '"code":400'
ok "bad boolean" "${C[@]}" "$CMS?watch=maybe"
has "400" '"code":400'
ok "unauthenticated" curl -sS --cacert "$KTEST_DIR/ca.crt" --max-time 20 "$CMS"
has "401" '"code":401'
ok "bad token" curl -sS --cacert "$KTEST_DIR/ca.crt" --max-time 20 -H 'Authorization: Bearer not-a-token' "$CMS"
has "401" '"code":401'
ok "health is open" curl -sS --cacert "$KTEST_DIR/ca.crt" --max-time 20 "$SERVER/healthz"
has "ok" '^ok$'
kubectl create sa nobody >/dev/null
TOKEN=$(kubectl create token nobody)
ok "forbidden" curl -sS --cacert "$KTEST_DIR/ca.crt" --max-time 20 -H "Authorization: Bearer $TOKEN" "$CMS"
has "403" '"code":403'
has "upstream message" 'configmaps is forbidden: User \\"system:serviceaccount:default:nobody\\" cannot list resource \\"configmaps\\" in API group \\"\\" in the namespace \\"default\\"'

# a slow client: send half a request and stall; the server closes it, and keeps serving others
python3 - "$SERVER" "$KTEST_DIR/ca.crt" <<'PY' &
import socket, ssl, sys, time
host, port = sys.argv[1].split("//")[1].split(":")
ctx = ssl.create_default_context(cafile=sys.argv[2])
s = ctx.wrap_socket(socket.create_connection((host, int(port))), server_hostname=host)
s.sendall(b"GET /api/v1/namespaces HTTP/1.1\r\nHost: x\r\n")
time.sleep(40)
PY
SLOW=$!
ok "served while a client stalls" "${C[@]}" "$SERVER/version"
has "version" '"gitVersion"'
kill $SLOW 2>/dev/null; wait $SLOW 2>/dev/null

# nothing that was refused was stored
ok "no configmap written" "${C[@]}" "$CMS"
lacks "no Bad_Name or x" '"name":"(Bad_Name|x|s)"'
ktest_done

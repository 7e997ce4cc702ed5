#!/usr/bin/env bash
# kubectl 1.32 against kubed: the everyday commands of a Kubernetes course.
set -uo pipefail
cd "$(dirname "$0")/../.."
source tests/integration/lib/kubed.sh
M=../shared/manifests
K="kubectl --request-timeout=20s"

kubed_start

# --- reading the cluster
ok "version" $K version -o json
has "server is 1.32" '"minor": "32"'
ok "get namespaces" $K get ns
has "built-in namespaces" 'kube-system +Active'
has "table header" '^NAME +STATUS +AGE'
ok "api-resources" $K api-resources
has "deployments listed" 'deployments +deploy +apps/v1 +true +Deployment'
ok "api-resources namespaced" $K api-resources --namespaced=false -o name
has "cluster-scoped names" '^namespaces$'
ok "explain" $K explain pod.spec.containers
has "explain field" 'FIELD: containers'
ok "config view" $K config view
has "server in config" 'server: https://127.0.0.1:'

# --- creating things
ok "create -f deployment" $K create -f $M/deployment-webserver.yaml
has "created" 'deployment.apps/websever created'
fails "create twice" $K create -f $M/deployment-webserver.yaml
has "already exists" 'deployments.apps "websever" already exists'
fails "headless typo is strict" $K apply -f $M/service-headless-typo.yaml
has "names the bad field" 'unknown field "spec.ClusterIP"'
fails "statefulset typo" $K apply -f $M/statefulset-webserver.yaml
has "names serviceName" 'unknown field "spec.serviceName"'
ok "apply service" $K apply -f $M/service-clusterip-multiport.yaml
has "created" 'service/webserver created'
ok "apply again unchanged" $K apply -f $M/service-clusterip-multiport.yaml
has "unchanged" 'service/webserver unchanged'
ok "apply clusterrole" $K apply -f $M/clusterrole-createlist.yaml
ok "apply course ingress clusterrole" $K apply -f $M/clusterrole-ingress.yaml
ok "create deployment" $K create deployment web --image=nginx:1.25 --replicas=2
has "created" 'deployment.apps/web created'
ok "create service clusterip" $K create service clusterip web --tcp=80:8080
ok "create sa" $K create sa robot
ok "create rolebinding" $K create rolebinding robot-createlist --clusterrole createlist --serviceaccount default:robot
ok "create clusterrolebinding" $K create clusterrolebinding robot-view --clusterrole view --serviceaccount default:robot
ok "create configmap" $K create configmap settings --from-literal=a=1 --from-literal=b=2
ok "create namespace" $K create namespace team
ok "run dry-run client" $K run tmp --image=busybox --dry-run=client -o yaml
has "pod yaml" 'kind: Pod'

# --- get in every form
ok "get -o wide" $K get deploy -o wide
has "wide columns" 'CONTAINERS +IMAGES +SELECTOR'
ok "get -o yaml" $K get deploy web -o yaml
has "yaml" 'replicas: 2'
ok "get -o json" $K get cm settings -o json
has "json" '"a": "1"'
ok "get -o name" $K get deploy -o name
has "names" '^deployment.apps/web$'
ok "get -l" $K get deploy -l app=web
has "selected" '^web '
lacks "not selected" 'websever'
ok "get -A" $K get cm -A
has "namespace column" '^NAMESPACE +NAME +DATA +AGE'
ok "get -n" $K get sa -n team
has "default sa in new namespace" '^default '
ok "get --show-labels" $K get deploy web --show-labels
has "labels column" 'app=web'
ok "get services" $K get svc webserver
has "service columns" 'webserver +ClusterIP'

# --- changing things
ok "label" $K label deploy web tier=frontend
ok "label overwrite" $K label deploy web tier=backend --overwrite
ok "label shows" $K get deploy web --show-labels
has "overwritten" 'tier=backend'
ok "label remove" $K label deploy web tier-
ok "annotate" $K annotate deploy web note=hello
ok "scale" $K scale deploy web --replicas=3
ok "scaled" $K get deploy web -o jsonpath='{.spec.replicas}'
has "3 replicas" '^3$'
ok "patch strategic" $K patch deploy web -p '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.26"}]}}}}'
ok "patched image" $K get deploy web -o jsonpath='{.spec.template.spec.containers[0].image}'
has "new image" 'nginx:1.26'
ok "patch merge" $K patch cm settings --type merge -p '{"data":{"c":"3"}}'
ok "patch json" $K patch cm settings --type json -p '[{"op":"remove","path":"/data/a"}]'
ok "patched cm" $K get cm settings -o json
has "c added" '"c": "3"'
lacks "a removed" '"a": "1"'
ok "apply --server-side" $K apply --server-side -f $M/daemonset-webserver.yaml
ok "replace" bash -c "$K get cm settings -o yaml | sed 's/c: \"3\"/c: \"4\"/' | $K replace -f -"
ok "replaced" $K get cm settings -o jsonpath='{.data.c}'
has "4" '^4$'
cat >"$KTEST_DIR/editor.sh" <<'EDIT'
#!/bin/sh
sed -i 's/b: "2"/b: "edited"/' "$1"
EDIT
chmod +x "$KTEST_DIR/editor.sh"
ok "edit" env EDITOR="$KTEST_DIR/editor.sh" $K edit cm settings
ok "edited" $K get cm settings -o jsonpath='{.data.b}'
has "edited" '^edited$'

# --- nodes: taint, cordon
cat >"$KTEST_DIR/node.yaml" <<'NODE'
apiVersion: v1
kind: Node
metadata:
  name: node-x
  labels: {kubernetes.io/hostname: node-x}
NODE
ok "node" $K apply -f "$KTEST_DIR/node.yaml"
ok "taint" $K taint node node-x dedicated=gpu:NoSchedule
ok "tainted" $K get node node-x -o jsonpath='{.spec.taints[0].key}'
has "taint key" '^dedicated$'
ok "cordon" $K cordon node-x
ok "cordoned" $K get node node-x
has "SchedulingDisabled" 'SchedulingDisabled'
ok "uncordon" $K uncordon node-x

# --- access
ok "can-i as admin" $K auth can-i create deployments
has "yes" '^yes$'
ok "can-i as sa (granted)" $K auth can-i create deployments --as system:serviceaccount:default:robot
has "yes" '^yes$'
fails "can-i as sa (denied in another namespace)" $K auth can-i create deployments -n team --as system:serviceaccount:default:robot
has "no" '^no$'
ok "token" $K create token robot
TOKEN=$LAST_OUT
ok "token works" $K --token "$TOKEN" --kubeconfig /dev/null --server "$($K config view -o jsonpath='{.clusters[0].cluster.server}')" --insecure-skip-tls-verify get deploy
fails "token forbidden elsewhere" $K --token "$TOKEN" --kubeconfig /dev/null --server "$($K config view -o jsonpath='{.clusters[0].cluster.server}')" --insecure-skip-tls-verify get secrets -n team
has "forbidden" 'cannot list resource "secrets"'

# --- watch and wait
$K get cm -w --request-timeout=3s >"$KTEST_DIR/watch.out" 2>&1 &
WPID=$!
sleep 1
$K create configmap watched >/dev/null
wait $WPID
LAST_OUT=$(cat "$KTEST_DIR/watch.out")
has "watch sees the new object" '^watched '
ok "wait" $K wait --for=jsonpath='{.status.phase}'=Active ns/team --timeout=10s

# --- describe
ok "describe deployment" $K describe deploy web
has "describe shows" 'Replicas: +3 desired'
ok "describe service" $K describe svc webserver
has "ports" 'Port: +80-80'
ok "describe node" $K describe node node-x
has "taints" 'Taints: +dedicated=gpu:NoSchedule'

# --- deleting
ok "delete by name" $K delete cm watched
ok "delete -f" $K delete -f $M/service-clusterip-multiport.yaml
ok "delete -l" $K delete deploy -l app=web
ok "gone" $K get deploy -l app=web
has "no resources" 'No resources found'
ok "delete --all" $K delete cm --all
ok "delete namespace" $K delete ns team
fails "namespace gone" $K get ns team

ktest_done

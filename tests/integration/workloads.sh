#!/usr/bin/env bash
# Issue 4 end to end with kubectl 1.32: workloads on three simulated nodes,
# the way a course student drives them (rollouts, scaling, sets, logs,
# events, drain, taints, cascading deletes, restarts, quota).
set -uo pipefail
cd "$(dirname "$0")/../.."
source tests/integration/lib/kubed.sh
M=../shared/manifests
K="kubectl --request-timeout=20s"
T=--timeout=30s
PODWATCH="python3 tests/integration/lib/podwatch.py"

# eventually DESC REGEX CMD...: retry CMD for up to 15 s until its output
# matches REGEX (for states no `kubectl wait` condition describes).
eventually() {
	local desc=$1 re=$2; shift 2
	for _ in $(seq 75); do
		if out=$("$@" 2>&1) && grep -Eq -- "$re" <<<"$out"; then
			KTEST_PASSED=$((KTEST_PASSED + 1)); LAST_OUT=$out; return 0
		fi
		sleep 0.2
	done
	KTEST_FAILED=$((KTEST_FAILED + 1)); LAST_OUT=$out
	printf 'FAIL: %s: /%s/ never matched:\n  $ %s\n%s\n' "$desc" "$re" "$*" "$out" | sed 's/^/  /'
}

# count DESC N REGEX: the last output has exactly N lines matching REGEX.
count() {
	local n
	n=$(grep -Ec -- "$3" <<<"$LAST_OUT")
	if [ "$n" -eq "$2" ]; then
		KTEST_PASSED=$((KTEST_PASSED + 1))
	else
		KTEST_FAILED=$((KTEST_FAILED + 1))
		printf 'FAIL: %s: %s lines match /%s/, want %s:\n%s\n' "$1" "$n" "$3" "$2" "$LAST_OUT" | sed 's/^/  /'
	fi
}

# watch_from SELECTOR: remember the pods matching SELECTOR and the list's
# resourceVersion, so watch_check can replay every event after this point.
watch_from() {
	WSEL=$1
	$K get --raw "/api/v1/namespaces/default/pods?labelSelector=${WSEL/=/%3D}" >"$KTEST_DIR/list.json"
	WRV=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["metadata"]["resourceVersion"])' "$KTEST_DIR/list.json")
}

# watch_check DESC MODE ARGS...: watch the pods from watch_from's version for
# a second and run podwatch.py on the events (see its header for the modes).
watch_check() {
	local desc=$1; shift
	$K get --raw "/api/v1/namespaces/default/pods?watch=1&labelSelector=${WSEL/=/%3D}&resourceVersion=$WRV&timeoutSeconds=1" \
		>"$KTEST_DIR/watch.jsonl"
	ok "$desc" $PODWATCH "$KTEST_DIR/list.json" "$KTEST_DIR/watch.jsonl" "$@"
}

# pods_on NODE: names of the pods bound to NODE that are not terminating.
pods_on() {
	$K get pods -o jsonpath='{range .items[?(@.spec.nodeName=="'"$1"'")]}{.metadata.name}{" "}{.metadata.deletionTimestamp}{"\n"}{end}' |
		awk 'NF == 1 {print $1}'
}

kubed_start --nodes 3 --runtime simulated

# --- nodes
ok "nodes" $K get nodes -o wide
count "three Ready nodes" 3 '^node-[123] +Ready '
has "node-1 is the control plane" '^node-1 +Ready +control-plane '
has "simulated runtime" 'simulated://1.0'
ok "no control-plane taint by default" $K get node node-1 -o jsonpath='{.spec.taints}'
lacks "untainted" 'NoSchedule'

# a CronJob every minute, made now and checked near the end, so its first
# run falls while the rest of the test runs
ok "create cronjob" $K create cronjob tick --image=busybox:1.28 --schedule='* * * * *' -- date
has "created" 'cronjob.batch/tick created'

# --- Deployment: create, rollout, pods, scale
ok "create deployment" $K create deployment web --image=nginx:1.25 --replicas=3
ok "rollout status" $K rollout status deploy/web $T
has "rolled out" 'deployment "web" successfully rolled out'
ok "pods wide" $K get pods -l app=web -o wide
count "three Running 1/1 pods with IP and node" 3 '^web-[a-z0-9]+-[a-z0-9]{5} +1/1 +Running +0 +[0-9]+s +10\.42\.[0-9]+\.[0-9]+ +node-[123] '
ok "deployment columns" $K get deploy web
has "READY 3/3" '^web +3/3 +3 +3 '
ok "scale up" $K scale deploy web --replicas=5
ok "rollout after scale up" $K rollout status deploy/web $T
ok "five pods" $K get pods -l app=web
count "five Running" 5 ' 1/1 +Running '
ok "scale down" $K scale deploy web --replicas=2
ok "rollout after scale down" $K rollout status deploy/web $T
eventually "two pods left" '^2$' bash -c "$K get pods -l app=web -o name | wc -l"
ok "ScalingReplicaSet events" $K get events --field-selector reason=ScalingReplicaSet
has "scaled up" 'Scaled up replica set web-[a-z0-9]+ from 0 to 3'
has "scaled down" 'Scaled down replica set web-[a-z0-9]+ from 5 to 2'

# --- set image, history, undo
ok "set image" $K set image deploy/web nginx=nginx:1.26
ok "rollout status after set image" $K rollout status deploy/web $T
ok "new image on the pods" $K get pods -l app=web -o jsonpath='{range .items[*]}{.spec.containers[0].image}{"\n"}{end}'
lacks "no old image left" 'nginx:1.25'
ok "rollout history" $K rollout history deploy/web
has "revision 1" '^1 +<none>'
has "revision 2" '^2 +<none>'
ok "history of revision 2" $K rollout history deploy/web --revision=2
has "its image" 'Image:.*nginx:1.26'
ok "two replica sets" $K get rs -l app=web
count "two" 2 '^web-'
ok "undo" $K rollout undo deploy/web
has "rolled back" 'deployment.apps/web rolled back'
ok "rollout status after undo" $K rollout status deploy/web $T
ok "image back" $K get deploy web -o jsonpath='{.spec.template.spec.containers[0].image}'
has "1.25" '^nginx:1.25$'
ok "revision annotation" $K get deploy web -o jsonpath='{.metadata.annotations.deployment\.kubernetes\.io/revision}'
has "revision 3" '^3$'
ok "history after undo" $K rollout history deploy/web
lacks "revision 1 became 3" '^1 '
has "revision 3" '^3 +<none>'

# --- rolling update strategies: bounds watched event by event
for su in 3/3 3/0 0/3; do
	s=${su%/*} u=${su#*/} d=roll-$s-$u
	ok "create $d" $K create deployment $d --image=nginx:1.25 --replicas=6
	ok "strategy $su" $K patch deploy $d -p "{\"spec\":{\"strategy\":{\"rollingUpdate\":{\"maxSurge\":$s,\"maxUnavailable\":$u}}}}"
	ok "rollout $d" $K rollout status deploy/$d $T
	watch_from app=$d
	ok "update $d" $K set image deploy/$d nginx=nginx:1.26
	ok "rollout update $d" $K rollout status deploy/$d $T
	watch_check "bounds $su held" bounds 6 "$s" "$u"
	[ "$su" = 3/0 ] && has "surge first: 9 pods at once" '^max=9 minready=6 '
	ok "all updated $d" $K get deploy $d -o jsonpath='{.status.updatedReplicas}/{.status.availableReplicas}'
	has "6/6" '^6/6$'
done

ok "create recreate" $K create deployment rec --image=nginx:1.25 --replicas=4
ok "strategy Recreate" $K patch deploy rec -p '{"spec":{"strategy":{"type":"Recreate","rollingUpdate":null}}}'
ok "rollout rec" $K rollout status deploy/rec $T
OLDHASH=$($K get rs -l app=rec -o jsonpath='{.items[0].metadata.labels.pod-template-hash}')
watch_from app=rec
ok "update rec" $K set image deploy/rec nginx=nginx:1.26
ok "rollout update rec" $K rollout status deploy/rec $T
watch_check "Recreate: old pods gone before new ones" recreate "$OLDHASH"
has "four new pods" '^new=4$'

# --- pause and resume
ok "pause" $K rollout pause deploy/web
ok "set image while paused" $K set image deploy/web nginx=nginx:1.27
ok "paused condition" $K wait --for=jsonpath='{.status.conditions[?(@.type=="Progressing")].reason}'=DeploymentPaused deploy/web $T
ok "no new replica set while paused" $K get rs -l app=web -o jsonpath='{range .items[*]}{.spec.template.spec.containers[0].image}{"\n"}{end}'
lacks "no 1.27 replica set" 'nginx:1.27'
ok "resume" $K rollout resume deploy/web
ok "rollout after resume" $K rollout status deploy/web $T
ok "pods run 1.27" $K get pods -l app=web -o jsonpath='{range .items[*]}{.spec.containers[0].image}{"\n"}{end}'
has "1.27" 'nginx:1.27'
lacks "only 1.27" 'nginx:1.2[56]'

# --- restart, progress deadline, Service endpoints
ok "rollout restart" $K rollout restart deploy/web
ok "rollout after restart" $K rollout status deploy/web $T
ok "restartedAt" $K get deploy web -o jsonpath='{.spec.template.metadata.annotations}'
has "annotation" 'kubectl.kubernetes.io/restartedAt'
ok "expose" $K expose deploy web --port 80 --target-port 8080
ok "endpoints" $K wait --for=jsonpath='{.subsets[0].addresses[1].ip}' endpoints/web $T
ok "endpoints columns" $K get endpoints web
has "two pod IPs" '^web +10\.42\.[0-9.]+:8080,10\.42\.[0-9.]+:8080 '
ok "endpointslice" $K get endpointslices -l kubernetes.io/service-name=web
has "slice" '^web-[a-z0-9]{5} +IPv4 +8080 +10\.42\.'
ok "stuck deployment" $K create deployment stuck --image=nginx:1.25 --replicas=2
ok "stuck rollout" $K rollout status deploy/stuck $T
ok "never-ready template, 2 s deadline" $K patch deploy stuck -p '{"spec":{"progressDeadlineSeconds":2,"template":{"metadata":{"annotations":{"sim.libkube.io/ready":"false"}}}}}'
fails "rollout status gives up" $K rollout status deploy/stuck $T
has "deadline" 'error: deployment "stuck" exceeded its progress deadline'
ok "Progressing False" $K get deploy stuck -o jsonpath='{.status.conditions[?(@.type=="Progressing")].reason}'
has "ProgressDeadlineExceeded" '^ProgressDeadlineExceeded$'
ok "still available" $K get deploy stuck
has "old pods serve" '^stuck +2/2 +1 +2 '
ok "undo stuck" $K rollout undo deploy/stuck
ok "stuck recovers" $K rollout status deploy/stuck $T
ok "delete stuck" $K delete deploy stuck

# --- ReplicaSet and ReplicationController
cat >"$KTEST_DIR/rs.yaml" <<'YAML'
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: frontend}
spec:
  replicas: 3
  selector: {matchLabels: {tier: frontend}}
  template:
    metadata: {labels: {tier: frontend}}
    spec:
      containers: [{name: php, image: php:8-apache}]
---
apiVersion: v1
kind: ReplicationController
metadata: {name: legacy}
spec:
  replicas: 2
  selector: {app: legacy}
  template:
    metadata: {labels: {app: legacy}}
    spec:
      containers: [{name: nginx, image: nginx:1.25}]
YAML
ok "create rs and rc" $K apply -f "$KTEST_DIR/rs.yaml"
ok "rs ready" $K wait --for=jsonpath='{.status.readyReplicas}'=3 rs/frontend $T
ok "rc ready" $K wait --for=jsonpath='{.status.readyReplicas}'=2 rc/legacy $T
ok "rs columns" $K get rs frontend
has "3 3 3" '^frontend +3 +3 +3 '
ok "rc columns" $K get rc legacy
has "2 2 2" '^legacy +2 +2 +2 '
VICTIM=$($K get pods -l tier=frontend -o jsonpath='{.items[0].metadata.name}')
ok "delete an rs pod" $K delete pod "$VICTIM"
ok "rs replaces it" $K wait --for=jsonpath='{.status.readyReplicas}'=3 rs/frontend $T
eventually "three rs pods, victim gone" '^3$' bash -c "$K get pods -l tier=frontend -o name | grep -vc $VICTIM"
ok "scale rc" $K scale rc legacy --replicas=4
ok "rc scaled up" $K wait --for=jsonpath='{.status.readyReplicas}'=4 rc/legacy $T
ok "scale rs down" $K scale rs frontend --replicas=1
eventually "one rs pod" '^1$' bash -c "$K get pods -l tier=frontend -o name | wc -l"
ok "rc events" $K get events --field-selector involvedObject.kind=ReplicationController
has "SuccessfulCreate" 'SuccessfulCreate +replicationcontroller/legacy +Created pod: legacy-'
ok "delete rs and rc" $K delete -f "$KTEST_DIR/rs.yaml"
eventually "their pods go" '^0$' bash -c "$K get pods -l 'tier in (frontend)' -o name | wc -l; true"

# --- StatefulSet: the course manifest with its kind fixed
sed 's/^kind: Deployment$/kind: StatefulSet/' $M/statefulset-webserver.yaml >"$KTEST_DIR/sts.yaml"
watch_from name=webserver-sts
ok "apply statefulset" $K apply -f "$KTEST_DIR/sts.yaml"
has "created" 'statefulset.apps/websever-sts created'
ok "sts rollout" $K rollout status sts/websever-sts $T
ok "scale sts" $K scale sts websever-sts --replicas=3
ok "sts rollout 3" $K rollout status sts/websever-sts $T
watch_check "OrderedReady: each pod after its predecessor is Ready" ordered
has "three created" '^created=3$'
ok "ordered names" $K get pods -l name=webserver-sts
has "-0" '^websever-sts-0 +2/2 +Running '
has "-1" '^websever-sts-1 +2/2 +Running '
has "-2" '^websever-sts-2 +2/2 +Running '
ok "hostname and subdomain" $K get pod websever-sts-1 -o jsonpath='{.spec.hostname}.{.spec.subdomain}'
has "websever-sts-1.webserver" '^websever-sts-1\.webserver$'

cat >"$KTEST_DIR/db.yaml" <<'YAML'
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 3
  podManagementPolicy: Parallel
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
      - name: mysql
        image: mysql:8.0
        volumeMounts: [{name: data, mountPath: /var/lib/mysql}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}
YAML
ok "statefulset with volumeClaimTemplates" $K apply -f "$KTEST_DIR/db.yaml"
ok "db rollout" $K rollout status sts/db $T
ok "PVCs" $K get pvc
has "data-db-0" '^data-db-0 '
has "data-db-2" '^data-db-2 '
ok "pod uses its claim" $K get pod db-1 -o jsonpath='{.spec.volumes[?(@.name=="data")].persistentVolumeClaim.claimName}'
has "data-db-1" '^data-db-1$'
ok "scale db down" $K scale sts db --replicas=1
ok "db-2 gone" $K wait --for=delete pod/db-2 $T
ok "db-1 gone" $K wait --for=delete pod/db-1 $T
ok "PVCs outlive the pods" $K get pvc -o name
count "three claims" 3 '^persistentvolumeclaim/data-db-[012]$'

# --- DaemonSet: the course manifest, one pod per node
ok "apply daemonset" $K apply -f $M/daemonset-webserver.yaml
ok "ds rollout" $K rollout status ds/websever-ds $T
has "rolled out" 'daemon set "websever-ds" successfully rolled out'
ok "one pod per node" bash -c "$K get pods -l name=webserver-ds -o jsonpath='{range .items[*]}{.spec.nodeName}{\"\\n\"}{end}' | sort | uniq -c"
count "on every node once" 3 '^ +1 node-[123]$'
ok "ds columns" $K get ds websever-ds
has "3 desired" '^websever-ds +3 +3 +3 +3 +3 '

ok "ds set image" $K set image ds/websever-ds nginx=nginx:1.24
ok "ds rollout update" $K rollout status ds/websever-ds $T
ok "ds pods updated" $K get pods -l name=webserver-ds -o jsonpath='{range .items[*]}{.spec.containers[0].image}{"\n"}{end}'
count "three on 1.24" 3 '^nginx:1.24$'
ok "ds history" $K rollout history ds/websever-ds
has "revision 2" '^2 +<none>'
ok "ds undo" $K rollout undo ds/websever-ds
ok "ds rollout undo" $K rollout status ds/websever-ds $T
ok "ds pods back" $K get pods -l name=webserver-ds -o jsonpath='{range .items[*]}{.spec.containers[0].image}{"\n"}{end}'
count "three on 1.23" 3 '^nginx:1.23$'
ok "sts set image" $K set image sts/websever-sts nginx=nginx:1.24
ok "sts rolling update" $K rollout status sts/websever-sts $T
ok "sts pods updated" $K get pods -l name=webserver-sts -o jsonpath='{range .items[*]}{.spec.containers[0].image}{"\n"}{end}'
count "three on 1.24" 3 '^nginx:1.24$'
ok "sts undo" $K rollout undo sts/websever-sts
ok "sts rollout undo" $K rollout status sts/websever-sts $T
ok "revisions" $K get sts websever-sts -o jsonpath='{.status.currentRevision} {.status.updateRevision}'
has "converged" '^(websever-sts-[a-z0-9]+) \1$'

# --- logs
cat >"$KTEST_DIR/logs.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: talker
  annotations:
    sim.libkube.io/logs.app: "starting\nlistening on :8080\nready"
    sim.libkube.io/logs.side: "sidecar up"
spec:
  containers:
  - {name: app, image: busybox:1.28}
  - {name: side, image: busybox:1.28}
YAML
ok "pod with logs" $K apply -f "$KTEST_DIR/logs.yaml"
ok "talker ready" $K wait --for=condition=Ready pod/talker $T
ok "logs -c app" $K logs talker -c app
has "first line" '^starting$'
has "last line" '^ready$'
ok "logs --tail=1" $K logs talker -c app --tail=1
has "last only" '^ready$'
lacks "not the first" 'starting'
ok "logs -c side" $K logs talker -c side
has "sidecar log" '^sidecar up$'
lacks "not app's" 'listening'
ok "logs of the first container" $K logs talker
has "defaults to app" 'listening on :8080'
LAST_OUT=$(timeout 2 $K logs -f talker -c app 2>&1); rc=$?
has "logs -f streams" 'listening on :8080'
if [ $rc -eq 124 ]; then KTEST_PASSED=$((KTEST_PASSED + 1)); else
	KTEST_FAILED=$((KTEST_FAILED + 1)); echo "  FAIL: logs -f ended by itself (rc $rc)"; fi
ok "logs --timestamps" $K logs talker -c app --timestamps --tail=1
has "RFC3339 timestamp" '^20[0-9-]+T[0-9:.]+Z ready$'

# --- describe and events
ok "describe pod" $K describe pod talker
has "Scheduled" 'Normal +Scheduled .* default-scheduler +Successfully assigned default/talker to node-[123]'
has "Pulled" 'Normal +Pulled .* kubelet +Container image "busybox:1.28" already present on machine'
has "Created" 'Normal +Created .* kubelet +Created container: app'
has "Started" 'Normal +Started .* kubelet +Started container app'
has "status" '^Status: +Running'
has "QoS" '^QoS Class: +BestEffort'
ok "get events" $K get events
has "header" '^LAST SEEN +TYPE +REASON +OBJECT +MESSAGE'
has "SuccessfulCreate" 'SuccessfulCreate +replicaset/web-[a-z0-9]+ +Created pod: web-'
has "sts SuccessfulCreate" 'SuccessfulCreate +statefulset/db +create Pod db-0 in StatefulSet db successful'
has "ds SuccessfulCreate" 'SuccessfulCreate +daemonset/websever-ds +Created pod: websever-ds-'

ok "delete talker (drain refuses bare pods)" $K delete pod talker
eventually "describe node events" 'RegisteredNode' $K describe node node-2
has "Starting" 'Normal +Starting .* kubelet +Starting kubelet\.'
has "NodeReady" 'Normal +NodeReady .* kubelet +Node node-2 status is now: NodeReady'
has "NodeHasSufficientMemory" 'Node node-2 status is now: NodeHasSufficientMemory'
has "RegisteredNode" 'node-controller +Node node-2 event: Registered Node node-2 in Controller'

# --- cordon, uncordon
ok "cordon" $K cordon node-1
has "cordoned" 'node/node-1 cordoned'
ok "SchedulingDisabled" $K get node node-1
has "status" 'Ready,SchedulingDisabled'
ok "scale up while cordoned" $K scale deploy web --replicas=6
ok "rollout" $K rollout status deploy/web $T
ok "new pods avoid node-1" $K get pods -l app=web -o wide
count "six" 6 ' Running '
ok "node-1 pods" pods_on node-1
BEFORE=$(grep -c '^web-' <<<"$LAST_OUT")
ok "cordon does not evict" test "$BEFORE" -le 2
ok "uncordon" $K uncordon node-1
has "uncordoned" 'node/node-1 uncordoned'
ok "scale back" $K scale deploy web --replicas=2

# --- drain with a PodDisruptionBudget
# one pod per node: the spread ignores the nodes whose taints they do not tolerate
cat >"$KTEST_DIR/api.yaml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  replicas: 3
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      topologySpreadConstraints:
      - maxSkew: 1
        topologyKey: kubernetes.io/hostname
        whenUnsatisfiable: DoNotSchedule
        nodeTaintsPolicy: Honor
        labelSelector: {matchLabels: {app: api}}
        matchLabelKeys: [pod-template-hash]
      containers: [{name: nginx, image: nginx:1.25}]
YAML
ok "api deployment" $K apply -f "$KTEST_DIR/api.yaml"
ok "api rollout" $K rollout status deploy/api $T
ok "api on node-2" bash -c "$K get pods -l app=api -o wide | grep -c ' node-2 '"
has "one" '^1$'
ok "pdb" $K create pdb api --selector=app=api --min-available=3
ok "pdb counted" $K wait --for=jsonpath='{.status.currentHealthy}'=3 pdb/api $T
ok "pdb blocks" $K get pdb api
has "0 allowed" '^api +3 +N/A +0 '
fails "drain blocked by the budget" $K drain node-2 --ignore-daemonsets --delete-emptydir-data --timeout=2s
has "budget message" 'Cannot evict pod as it would violate the pod.s disruption budget'
has "cordoned first" 'node/node-2 cordoned'
has "daemonset pods ignored" 'Warning: ignoring DaemonSet-managed Pods: default/websever-ds-'
ok "pdb relaxed" $K patch pdb api --type merge -p '{"spec":{"minAvailable":2}}'
ok "pdb allows one" $K wait --for=jsonpath='{.status.disruptionsAllowed}'=1 pdb/api $T
ok "drain" $K drain node-2 --ignore-daemonsets --delete-emptydir-data $T
has "evicted" 'pod/api-[a-z0-9]+-[a-z0-9]+ evicted'
has "drained" 'node/node-2 drained'
ok "only the daemonset pod is left on node-2" pods_on node-2
has "ds pod" '^websever-ds-'
count "nothing else" 0 '^(api-|web-|db-|websever-sts-|talker)'
ok "api replaced" $K rollout status deploy/api $T
ok "uncordon node-2" $K uncordon node-2

# --- NoExecute taint: untolerated pods are evicted at once
cat >"$KTEST_DIR/tolerant.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: tolerant}
spec:
  nodeName: node-3
  tolerations: [{key: k, operator: Equal, value: v, effect: NoExecute}]
  containers: [{name: app, image: nginx:1.25}]
YAML
ok "tolerant pod on node-3" $K apply -f "$KTEST_DIR/tolerant.yaml"
ok "tolerant ready" $K wait --for=condition=Ready pod/tolerant $T
ok "pods on node-3" pods_on node-3
ON3=$(grep -Ev '^(tolerant|websever-ds-)' <<<"$LAST_OUT" | tr '\n' ' ')
ok "something to evict on node-3" test -n "$ON3"
UIDS=$(for p in $ON3; do echo "$p $($K get pod $p -o jsonpath='{.metadata.uid}')"; done)
ok "taint NoExecute" $K taint node node-3 k=v:NoExecute
# StatefulSet pods come back under the same name: compare UIDs.
while read -r p uid; do
	eventually "$p evicted" '^(gone|[-0-9a-f]+)$' bash -c \
		"u=\$($K get pod $p -o jsonpath='{.metadata.uid}' 2>/dev/null) || { echo gone; exit; }; [ \"\$u\" != $uid ] && echo \$u"
done <<<"$UIDS"
ok "eviction events" $K get events --field-selector reason=TaintManagerEviction
has "marked" 'TaintManagerEviction .*Marking for deletion Pod default/'
ok "deployments replace them" $K rollout status deploy/api $T
ok "statefulset replaces" $K rollout status sts/websever-sts $T
ok "daemonset leaves the tainted node" $K rollout status ds/websever-ds $T
ok "only the tolerant pod stays on node-3" pods_on node-3
has "tolerant" '^tolerant$'
count "alone" 1 '.'
ok "api pods elsewhere" $K get pods -l app=api -o wide
count "three running off node-3" 3 'Running .* node-[12] '
ok "untaint" $K taint node node-3 k=v:NoExecute-
ok "daemonset back on node-3" $K wait --for=jsonpath='{.status.numberReady}'=3 ds/websever-ds $T
ok "delete tolerant" $K delete pod tolerant

# --- the dedicated-node recipe: taint + label, toleration + nodeSelector
ok "taint dedicated" $K taint node node-3 dedicated=special:NoSchedule
ok "label dedicated" $K label node node-3 dedicated=special
cat >"$KTEST_DIR/special.yaml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: special}
spec:
  replicas: 3
  selector: {matchLabels: {app: special}}
  template:
    metadata: {labels: {app: special}}
    spec:
      nodeSelector: {dedicated: special}
      tolerations: [{key: dedicated, operator: Equal, value: special, effect: NoSchedule}]
      containers: [{name: app, image: nginx:1.25}]
YAML
ok "special deployment" $K apply -f "$KTEST_DIR/special.yaml"
ok "special rollout" $K rollout status deploy/special $T
ok "special pods" $K get pods -l app=special -o wide
count "all on node-3" 3 'Running .* node-3 '
ok "ordinary deployment" $K create deployment plain --image=nginx:1.25 --replicas=4
ok "plain rollout" $K rollout status deploy/plain $T
ok "plain pods" $K get pods -l app=plain -o wide
count "none on node-3" 0 ' node-3 '
ok "remove taint" $K taint node node-3 dedicated-
ok "remove label" $K label node node-3 dedicated-
ok "delete special and plain" $K delete deploy special plain

# --- cascading deletes
ok "delete foreground" $K delete deploy api --cascade=foreground $T
ok "no api replica sets" $K get rs -l app=api -o name
count "none" 0 'replicaset'
ok "no api pods" $K get pods -l app=api -o name
count "none" 0 'pod/'
ok "delete orphan" $K delete deploy web --cascade=orphan $T
ok "web replica sets stay" $K get rs -l app=web -o jsonpath='{range .items[*]}{.metadata.name} {.metadata.ownerReferences}{"\n"}{end}'
has "a replica set" '^web-'
lacks "without owner" 'Deployment'
ok "web pods stay" $K get pods -l app=web
count "two" 2 ' Running '
ok "delete background" $K delete deploy roll-3-3
eventually "its pods go" '^0$' bash -c "$K get pods -l app=roll-3-3 -o name | wc -l"

# --- restarts: CrashLoopBackOff, init containers
cat >"$KTEST_DIR/restarts.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: crasher
  annotations: {sim.libkube.io/crash: "true", sim.libkube.io/logs: "crashed"}
spec:
  containers: [{name: app, image: busybox:1.28}]
---
apiVersion: v1
kind: Pod
metadata:
  name: initpod
  annotations: {sim.libkube.io/exit-after.setup: "1s"}
spec:
  initContainers: [{name: setup, image: busybox:1.28}]
  containers: [{name: app, image: nginx:1.25}]
YAML
ok "crash and init pods" $K apply -f "$KTEST_DIR/restarts.yaml"
eventually "Init:0/1 while the init container runs" '^initpod +0/1 +Init:0/1 ' $K get pod initpod
eventually "CrashLoopBackOff" '^crasher +0/1 +CrashLoopBackOff +[1-9]' $K get pod crasher
ok "initpod Running" $K wait --for=condition=Ready pod/initpod $T
ok "initpod columns" $K get pod initpod
has "Running 1/1" '^initpod +1/1 +Running +0 '
ok "init container completed" $K get pod initpod -o jsonpath='{.status.initContainerStatuses[0].state.terminated.reason}'
has "Completed" '^Completed$'
ok "crasher waiting reason" $K get pod crasher -o jsonpath='{.status.containerStatuses[0].state.waiting.message}'
has "back-off message" '^back-off [0-9]+s restarting failed container=app pod=crasher_default\('
ok "BackOff event" $K get events --field-selector involvedObject.name=crasher,reason=BackOff
has "upstream text" 'Back-off restarting failed container app in pod crasher_default'
ok "logs --previous" $K logs crasher --previous
has "the crashed instance's log" '^crashed$'
ok "delete them" $K delete -f "$KTEST_DIR/restarts.yaml"
cat >"$KTEST_DIR/exits.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: finished
  annotations: {sim.libkube.io/exit-after: "0"}
spec:
  restartPolicy: Never
  containers: [{name: app, image: busybox:1.28}]
---
apiVersion: v1
kind: Pod
metadata:
  name: failed
  annotations: {sim.libkube.io/exit-after: "0", sim.libkube.io/exit-code: "3"}
spec:
  restartPolicy: Never
  containers: [{name: app, image: busybox:1.28}]
YAML
ok "pods that exit" $K apply -f "$KTEST_DIR/exits.yaml"
ok "Succeeded" $K wait --for=jsonpath='{.status.phase}'=Succeeded pod/finished $T
ok "Failed" $K wait --for=jsonpath='{.status.phase}'=Failed pod/failed $T
ok "their STATUS" $K get pods finished failed
has "Completed" '^finished +0/1 +Completed +0 '
has "Error" '^failed +0/1 +Error +0 '
ok "exit code" $K get pod failed -o jsonpath='{.status.containerStatuses[0].state.terminated.exitCode}'
has "3" '^3$'
ok "delete them" $K delete -f "$KTEST_DIR/exits.yaml"

# --- ResourceQuota and LimitRange
ok "namespace" $K create namespace quota
cat >"$KTEST_DIR/limits.yaml" <<'YAML'
apiVersion: v1
kind: LimitRange
metadata: {name: defaults, namespace: quota}
spec:
  limits:
  - type: Container
    default: {cpu: 500m, memory: 256Mi}
    defaultRequest: {cpu: 200m, memory: 128Mi}
YAML
ok "limitrange" $K apply -f "$KTEST_DIR/limits.yaml"
ok "quota" $K create quota small -n quota --hard=pods=2,requests.cpu=300m
ok "quota status" $K wait --for=jsonpath='{.status.hard.pods}'=2 quota/small -n quota $T
ok "first pod" $K run one -n quota --image=nginx:1.25
ok "defaults on the pod" $K get pod one -n quota -o jsonpath='{.spec.containers[0].resources}'
has "requests" '"requests":\{"cpu":"200m","memory":"128Mi"\}'
has "limits" '"limits":\{"cpu":"500m","memory":"256Mi"\}'
ok "limit-ranger annotation" $K get pod one -n quota -o jsonpath='{.metadata.annotations.kubernetes\.io/limit-ranger}'
has "upstream text" '^LimitRanger plugin set: cpu, memory request for container one; cpu, memory limit for container one$'
fails "second pod exceeds requests.cpu" $K run two -n quota --image=nginx:1.25
has "403 message" 'Error from server \(Forbidden\): pods "two" is forbidden: exceeded quota: small, requested: requests.cpu=200m, used: requests.cpu=200m, limited: requests.cpu=300m'
ok "describe quota" $K describe quota small -n quota
has "used pods" 'pods +1 +2'
has "used cpu" 'requests.cpu +200m +300m'
ok "delete namespace" $K delete ns quota $T

# --- Jobs and CronJobs
ok "create job" $K create job hello --image=busybox:1.28 -- echo hi
ok "wait complete" $K wait --for=condition=complete job/hello $T
ok "job columns" $K get job hello
has "Complete 1/1" '^hello +Complete +1/1 '
ok "job pod" $K get pods -l job-name=hello
has "Completed" '^hello-[a-z0-9]{5} +0/1 +Completed +0 '
ok "job events" $K describe job hello
has "SuccessfulCreate" 'SuccessfulCreate .* job-controller +Created pod: hello-'
has "Completed" 'Completed .* job-controller +Job completed'
cat >"$KTEST_DIR/jobs.yaml" <<'YAML'
apiVersion: batch/v1
kind: Job
metadata: {name: indexed}
spec:
  completions: 3
  parallelism: 3
  completionMode: Indexed
  template:
    spec:
      restartPolicy: Never
      containers: [{name: work, image: busybox:1.28}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: doomed}
spec:
  backoffLimit: 0
  template:
    metadata:
      annotations: {sim.libkube.io/exit-code: "1"}
    spec:
      restartPolicy: Never
      containers: [{name: work, image: busybox:1.28}]
YAML
ok "indexed and failing jobs" $K apply -f "$KTEST_DIR/jobs.yaml"
ok "indexed completes" $K wait --for=condition=complete job/indexed $T
ok "indexes" $K get job indexed -o jsonpath='{.status.completedIndexes}'
has "0-2" '^0-2$'
ok "doomed fails" $K wait --for=condition=failed job/doomed $T
ok "failure reason" $K get job doomed -o jsonpath='{.status.conditions[?(@.type=="Failed")].reason}'
has "BackoffLimitExceeded" '^BackoffLimitExceeded$'
ok "job from cronjob" $K create job manual --from=cronjob/tick
ok "manual completes" $K wait --for=condition=complete job/manual $T
fails "bad schedule" $K create cronjob bad --image=busybox:1.28 --schedule='61 * * * *'
has "upstream message" 'CronJob.batch "bad" is invalid: spec.schedule: Invalid value: "61 \* \* \* \*": end of range \(61\) above maximum \(59\): 61'
ok "the manual job counts as a success" $K wait --for=jsonpath='{.status.lastSuccessfulTime}' cronjob/tick $T
ok "cronjob ran on its schedule" $K wait --for=jsonpath='{.status.lastScheduleTime}' cronjob/tick --timeout=70s
ok "scheduled job name" $K get jobs -o jsonpath='{range .items[?(@.metadata.ownerReferences[0].kind=="CronJob")]}{.metadata.name}{"\n"}{end}'
has "tick-<minutes since the epoch>" '^tick-[0-9]{8}$'
has "and the manual one" '^manual$'
ok "cronjob columns" $K get cronjob tick
has "last schedule" '^tick +\* \* \* \* \* +<none> +False +[01] +[0-9]+s '

# --- kubeadm's control-plane taint (a second cluster)
kubed_stop
kubed_start --nodes 3 --runtime simulated --taint-control-plane
ok "control-plane taint" $K describe node node-1
has "taint" 'Taints: +node-role.kubernetes.io/control-plane:NoSchedule'
ok "daemonset" $K apply -f $M/daemonset-webserver.yaml
ok "ds rollout" $K rollout status ds/websever-ds $T
ok "ds skips the control plane" $K get ds websever-ds
has "2 desired" '^websever-ds +2 +2 +2 +2 +2 '
ok "tolerate it" $K patch ds websever-ds -p '{"spec":{"template":{"spec":{"tolerations":[{"key":"node-role.kubernetes.io/control-plane","operator":"Exists","effect":"NoSchedule"}]}}}}'
ok "ds rollout with toleration" $K rollout status ds/websever-ds $T
ok "now on all three" $K get ds websever-ds
has "3 desired" '^websever-ds +3 +3 +3 +3 +3 '
ok "deployment" $K create deployment w --image=nginx:1.25 --replicas=4
ok "rollout" $K rollout status deploy/w $T
ok "pods" $K get pods -l app=w -o wide
count "none on node-1" 0 ' node-1 '

ktest_done

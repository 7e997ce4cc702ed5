#!/usr/bin/env bash
# kubectl 1.32 and `kind: List` files. The v3 fieldValidation check reports
# List as unsupported, so kubectl validates the items client-side against
# the schema it fetches from /openapi/v2 (gnostic protobuf) before it sends
# anything; without /openapi/v2 every such create or apply fails.
set -uo pipefail
cd "$(dirname "$0")/../.."
source tests/integration/lib/kubed.sh
D=tests/integration/data
K="kubectl --request-timeout=20s"

kubed_start

# --- the document itself
ok "openapi v2 as JSON" $K get --raw /openapi/v2
has "swagger 2.0" '^\{"swagger":"2.0","info":\{"title":"Kubernetes","version":"v1.32.0"\}'
has "v2 references" '"\$ref":"#/definitions/io.k8s.api.apps.v1.DeploymentSpec"'
lacks "no v3 references" '#/components/schemas/'

# --- a valid List is validated and created
ok "create -f List" $K create -f $D/list-configmap-deployment.yaml -v=6
has "fetched the v2 schema" 'GET https://[^ ]+/openapi/v2\?timeout=[0-9]+s 200 OK'
has "validation kept strict" 'POST https://[^ ]+/configmaps\?fieldManager=kubectl-create&fieldValidation=Strict[^ ]* 201 Created'
has "configmap created" 'configmap/settings created'
has "deployment created" 'deployment.apps/web created'
ok "both exist" $K get cm/settings deploy/web -o name
has "configmap" '^configmap/settings$'
has "deployment" '^deployment.apps/web$'
ok "apply -f List" $K apply -f $D/list-configmap-deployment.yaml
has "configmap applied" 'configmap/settings configured'
has "deployment applied" 'deployment.apps/web configured'
ok "apply again" $K apply -f $D/list-configmap-deployment.yaml
has "unchanged" 'configmap/settings unchanged'
ok "create --dry-run=client" $K create -f $D/list-configmap-deployment.yaml --dry-run=client -o name
has "dry run lists both" 'deployment.apps/web'

# --- a typo anywhere in a List fails before anything is sent
fails "create -f List with a typo" $K create -f $D/list-service-typo.yaml
has "kubectl's client-side message" "^error: error validating \"$D/list-service-typo.yaml\": error validating data: ValidationError\(Service.spec\): unknown field \"ClusterIP\" in io.k8s.api.core.v1.ServiceSpec; if you choose to ignore these errors, turn validation off with --validate=false$"
fails "nothing of it was created" $K get cm/typo-settings
has "not found" 'configmaps "typo-settings" not found'
fails "apply -f List with a typo" $K apply -f $D/list-service-typo.yaml
has "same message on apply" 'ValidationError\(Service.spec\): unknown field "ClusterIP" in io.k8s.api.core.v1.ServiceSpec'
fails "nested errors" $K create -f $D/list-deployment-errors.yaml
has "all errors, in kubectl's order" 'error validating data: \[ValidationError\(Deployment.spec.replicas\): invalid type for io.k8s.api.apps.v1.DeploymentSpec.replicas: got "string", expected "integer", ValidationError\(Deployment.spec.template.spec.containers\[0\]\): unknown field "imagePullPolicyy" in io.k8s.api.core.v1.Container\]'
ok "--validate=false skips it" $K create -f $D/list-service-typo.yaml --validate=false
has "created without validation" 'service/webserver-01 created'

ktest_done

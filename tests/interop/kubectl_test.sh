#!/usr/bin/env bash
# Interop: the real kubectl (1.32) against kube-sim, using the kubeconfig kube-sim writes.
# Usage: kubectl_test.sh KUBE_SIM_BINARY
set -uo pipefail
sim=$1
command -v kubectl >/dev/null || { echo "kubectl is not installed"; exit 1; }
work=$(mktemp -d)
sim_pid=
cleanup() { [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
source "$(dirname "$0")/../support/kube_sim.sh"
start_kube_sim "$sim" "$work" --clusters 1 --duration 120s --seed-pods 6
failures=0
pass=0
check() { # check NAME COMMAND...: the command must succeed
  local name=$1; shift
  if out=$("$@" 2>&1); then pass=$((pass+1)); echo "ok   $name"; else failures=$((failures+1)); echo "FAIL $name"; echo "$out" | sed 's/^/     /'; fi
}
expect() { # expect NAME PATTERN COMMAND...: output must match the extended regex
  local name=$1 pattern=$2; shift 2
  out=$("$@" 2>&1)
  if echo "$out" | grep -Eq -- "$pattern"; then pass=$((pass+1)); echo "ok   $name"; else failures=$((failures+1)); echo "FAIL $name (wanted /$pattern/)"; echo "$out" | sed 's/^/     /'; fi
}

expect "get ns,pods,svc -A lists seeded objects" "pod/svc-1-" k get ns,pods,svc -A
expect "get ns shows istio-system" "istio-system" k get ns
port=$(sed -n 's|.*server: https://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$KUBECONFIG")
expect "get svc,endpointslices -n default shows the API server's own Service" "service/kubernetes" k get svc,endpointslices -n default
expect "get svc,endpointslices -n default shows the API server's own EndpointSlice" "endpointslice.discovery.k8s.io/kubernetes" k get svc,endpointslices -n default
expect "the kubernetes Service has the service range's first address" "^172\.16\.0\.1 https 443$" k get svc kubernetes -o 'jsonpath={.spec.clusterIP} {.spec.ports[0].name} {.spec.ports[0].port}'
expect "the kubernetes EndpointSlice points at 127.0.0.1 and the API server's port" "^127\.0\.0\.1 $port$" k get endpointslice kubernetes -o 'jsonpath={.endpoints[0].addresses[0]} {.ports[0].port}'

cat >"$work/app.yaml" <<'YAML'
apiVersion: v1
kind: Namespace
metadata: {name: demo}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: demo}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Pod
metadata: {name: web-0, namespace: demo, labels: {app: web}}
spec:
  containers: [{name: web, image: nginx, ports: [{containerPort: 8080, name: http}]}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: demo}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx}]
YAML
# Plain apply validates (--validate=strict): kubectl reads /openapi/v3, sees the PATCH operations
# take fieldValidation and sends fieldValidation=Strict instead of validating against schemas.
expect "plain apply creates Namespace, Service, Pod and Deployment" "deployment.apps/web created" k apply -f "$work/app.yaml"
sed -i 's/replicas: 2/replicas: 3/' "$work/app.yaml"
k apply -v=8 -f "$work/app.yaml" >"$work/apply-v8.txt" 2>&1
expect "plain apply again patches the changed Deployment" "deployment.apps/web configured" cat "$work/apply-v8.txt"
expect "that apply read the openapi v3 document of apps/v1" "/openapi/v3/apis/apps/v1\\?hash=" cat "$work/apply-v8.txt"
expect "and asked for server-side field validation" "PATCH[^/]*https://[^ ]*/deployments/web\\?[^ \"]*fieldValidation=Strict" cat "$work/apply-v8.txt"
expect "the patched Deployment has 3 replicas" "^3$" k get deploy web -n demo -o 'jsonpath={.spec.replicas}'
expect "apply --validate=false still works" "deployment.apps/web unchanged" k apply --validate=false -f "$work/app.yaml"
expect "a Service made without clusterIP gets one allocated and TCP ports" "^172\.16\.253\.233 TCP 8080$" k get svc web -n demo -o 'jsonpath={.spec.clusterIP} {.spec.ports[0].protocol} {.spec.ports[0].targetPort}'
check "label a pod" k label pod web-0 -n demo tier=front
check "annotate a pod" k annotate pod web-0 -n demo note=hello
expect "labels and annotations are stored" "front hello" k get pod web-0 -n demo -o 'jsonpath={.metadata.labels.tier} {.metadata.annotations.note}'
printf 'kubeconfig-bytes\n' >"$work/cfg"
check "create secret generic --from-file" k create secret generic remote -n demo --from-file=cluster-2="$work/cfg"
expect "get secret -o yaml shows the base64 data" "cluster-2: a3ViZWNvbmZpZy1ieXRlcwo=" k get secret remote -n demo -o yaml
# create token sends a protobuf TokenRequest; a TokenReview (JSON) checks what it got.
expect "create token signs an ES256 JWT for the default account" '^eyJhbGciOiJFUzI1NiIs' k create token default -n default --audience istio-ca --duration 20m
token=$(k create token default -n default --audience istio-ca 2>&1)
printf '{"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":{"token":"%s","audiences":["istio-ca"]}}' "$token" >"$work/review.json"
expect "a TokenReview of that token names the default account" '^true system:serviceaccount:default:default$' k create --validate=false -f "$work/review.json" -o 'jsonpath={.status.authenticated} {.status.user.username}'
expect "api-resources lists tokenreviews" 'tokenreviews +authentication.k8s.io/v1 +false +TokenReview' k api-resources

# get -w prints changes made while it watches.
# wait_for SECONDS COMMAND...: polls until the command succeeds (true) or the time is up (false).
wait_for() {
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do [ $SECONDS -ge $deadline ] && return 1; sleep 0.1; done
}
k get pods -n demo -w >"$work/watch.txt" 2>&1 &
wpid=$!
# The watch printed its list, so it watches from the list's version: later changes reach it.
wait_for 20 grep -q "^web-0 " "$work/watch.txt"
k label pod web-0 -n demo watched=yes >/dev/null
k run web-1 -n demo --image=nginx >/dev/null
wait_for 20 sh -c "grep -q '^web-1 ' '$work/watch.txt' && [ \$(grep -c '^web-0 ' '$work/watch.txt') -ge 2 ]"
kill $wpid 2>/dev/null; wait $wpid 2>/dev/null
expect "get pods -w shows a pod created while watching" "^web-1 " cat "$work/watch.txt"
expect "get pods -w shows the relabelled pod again" "^[2-9]$" grep -c "^web-0 " "$work/watch.txt"

k get svc web -n demo -o json >"$work/svc.json"
check "patch the service" k patch svc web -n demo -p '{"metadata":{"labels":{"v":"2"}}}'
expect "replace with a stale resourceVersion is a Conflict" "Conflict" k replace -f "$work/svc.json"
check "delete the pod" k delete pod web-0 -n demo
expect "the deleted pod is gone" "NotFound" k get pod web-0 -n demo
check "delete the namespace" k delete ns demo
expect "deleting a namespace removes what was in it" "No resources found" k get svc -A --field-selector metadata.namespace=demo

# CustomResourceDefinitions: kubectl learns the new resources from discovery (its cache is fresh).
export KUBECACHEDIR=$work/kube-cache
cp "$(dirname "$0")/../support/istio-security-crds.yaml" "$work/crds.yaml"
cat >"$work/policy.yaml" <<'YAML'
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-admin, namespace: default}
spec:
  selector:
    matchLabels: {app: web}
  action: DENY
  rules:
  - from:
    - source: {notNamespaces: [default]}
    to:
    - operation: {methods: [POST], paths: [/admin/*]}
    when:
    - key: request.headers[x-debug]
      values: ["on"]
YAML
expect "before its CRD an AuthorizationPolicy is not a known resource" "doesn't have a resource type|the server could not find" k get authorizationpolicies.security.istio.io -A
expect "plain apply creates the two Istio security CRDs" "peerauthentications.security.istio.io created" k apply -f "$work/crds.yaml"
check "wait for the AuthorizationPolicy CRD to be established" k wait --for condition=established --timeout=15s crd/authorizationpolicies.security.istio.io
expect "plain apply creates an AuthorizationPolicy" "authorizationpolicy.security.istio.io/deny-admin created" k apply -f "$work/policy.yaml"
sed -i 's/action: DENY/action: AUDIT/' "$work/policy.yaml"
expect "plain apply again patches the AuthorizationPolicy" "authorizationpolicy.security.istio.io/deny-admin configured" k apply -f "$work/policy.yaml"
expect "get authorizationpolicies -A lists it" "^default +deny-admin" k get authorizationpolicies.security.istio.io -A
expect "the stored policy keeps its rules" "^AUDIT POST request.headers\[x-debug\]$" k get authorizationpolicy deny-admin -n default -o 'jsonpath={.spec.action} {.spec.rules[0].to[0].operation.methods[0]} {.spec.rules[0].when[0].key}'
expect "api-resources lists the CRD's resources and short names" 'peerauthentications +pa +security.istio.io/v1 +true +PeerAuthentication' k api-resources
check "delete the AuthorizationPolicy CRD" k delete crd authorizationpolicies.security.istio.io
expect "the policy went with its CRD" "doesn't have a resource type|the server could not find" k get authorizationpolicies.security.istio.io -A
expect "the other CRD stays" "peerauthentications.security.istio.io" k get crd
k apply -f "$work/crds.yaml" >/dev/null
expect "made again, the CRD has no policies" "No resources found" k get authorizationpolicies.security.istio.io -A

echo "$pass passed, $failures failed"
[ "$failures" -eq 0 ] && [ "$pass" -gt 0 ]

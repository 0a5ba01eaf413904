#pragma once

/// The policies the interop tests apply with kubectl, as upstream-style YAML.
namespace ambient::test {

/// `app-1/allow-shop`: ALLOW from namespace shop to port 80 of the pods labelled app=svc-1 (the
/// first service sim::seed_workloads makes).
inline constexpr const char* allow_shop_policy = R"(apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-shop, namespace: app-1}
spec:
  selector:
    matchLabels: {app: svc-1}
  action: ALLOW
  rules:
  - from:
    - source: {namespaces: [shop]}
    to:
    - operation: {ports: ["80"]}
)";

} // namespace ambient::test

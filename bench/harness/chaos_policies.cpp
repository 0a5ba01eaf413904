#include "bench/harness/chaos_policies.hpp"

#include <cctype>
#include <vector>

#include "bench/harness/chaos_objects.hpp"

namespace ambient::bench {

namespace {

/// A CustomResourceDefinition of security.istio.io/v1 (names, group, scope and version as
/// Istio's; tests/support/istio-security-crds.yaml as JSON).
std::string crd_json(const std::string& plural, const std::string& kind) {
  std::string singular = kind;
  for (auto& ch : singular)
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return R"({"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
    "metadata":{"name":")"
         + plural + R"(.security.istio.io"},
    "spec":{"group":"security.istio.io","scope":"Namespaced",
      "names":{"plural":")"
         + plural + R"(","singular":")" + singular + R"(","kind":")" + kind + R"(",
        "listKind":")"
         + kind + R"(List"},
      "versions":[{"name":"v1","served":true,"storage":true,
        "schema":{"openAPIV3Schema":{"type":"object",
          "x-kubernetes-preserve-unknown-fields":true}}}]}})";
}

/// One policy object the soak keeps: its kind, its place, and the states it moves between, each
/// the object's body after its metadata ("" = absent).
struct slot {
  const char* kind;   ///< AuthorizationPolicy or PeerAuthentication
  const char* plural; ///< its resource
  const char* ns;
  const char* name;
  std::vector<std::string> variants; ///< [0] is the first state
  int dry_run_variant = -1;          ///< the variant annotated istio.io/dry-run=true, if any
};

const std::vector<slot>& slots() {
  static const std::vector<slot> v{
      {"AuthorizationPolicy",
       "authorizationpolicies",
       "app-1",
       "allow-svc1",
       {R"("spec":{"action":"ALLOW","selector":{"matchLabels":{"app":"svc-1"}},
            "rules":[{"from":[{"source":{"namespaces":["app-2"]}}]}]})",
        R"("spec":{"selector":{"matchLabels":{"app":"svc-1","version":"v1"}},
            "rules":[{"to":[{"operation":{"ports":["8080"]}}]}]})",
        "",
        R"("spec":{"action":"ALLOW","selector":{"matchLabels":{"app":"svc-1"}},
            "rules":[{"from":[{"source":{"namespaces":["app-3"]}}]}]})"},
       3},
      {"AuthorizationPolicy",
       "authorizationpolicies",
       "app-1",
       "deny-v1",
       {R"("spec":{"action":"DENY","selector":{"matchLabels":{"version":"v1"}},
            "rules":[{"to":[{"operation":{"ports":["9090"]}}]}]})",
        R"("spec":{"action":"DENY","selector":{"matchLabels":{"version":"v2"}},
            "rules":[{"to":[{"operation":{"ports":["9090"]}}]}]})",
        R"("spec":{"action":"DENY","selector":{"matchLabels":{"app":"svc-1"}},
            "rules":[{"from":[{"source":{"ipBlocks":["10.99.0.0/16"]}}]}]})",
        ""},
       -1},
      {"AuthorizationPolicy",
       "authorizationpolicies",
       "app-1",
       "ns-allow",
       {R"("spec":{"action":"ALLOW",
            "rules":[{"from":[{"source":{"principals":["cluster.local/ns/app-1/sa/svc-1"]}}]}]})",
        R"("spec":{"action":"ALLOW","rules":[{"to":[{"operation":{"ports":["8080","9090"]}}]}]})",
        ""},
       -1},
      {"AuthorizationPolicy",
       "authorizationpolicies",
       "istio-system",
       "root-deny",
       {R"("spec":{"action":"DENY","selector":{"matchLabels":{"app":"svc-1"}},
            "rules":[{"from":[{"source":{"ipBlocks":["192.0.2.0/24"]}}]}]})",
        R"("spec":{"action":"DENY","selector":{"matchLabels":{"app":"svc-2"}},
            "rules":[{"to":[{"operation":{"ports":["15000"]}}]}]})",
        ""},
       -1},
      {"PeerAuthentication",
       "peerauthentications",
       "app-1",
       "default",
       {R"("spec":{"mtls":{"mode":"STRICT"}})", R"("spec":{"mtls":{"mode":"PERMISSIVE"}})",
        R"("spec":{"mtls":{"mode":"UNSET"}})", ""},
       -1},
      {"PeerAuthentication",
       "peerauthentications",
       "istio-system",
       "default",
       {"", R"("spec":{"mtls":{"mode":"STRICT"}})", R"("spec":{"mtls":{"mode":"PERMISSIVE"}})"},
       -1},
  };
  return v;
}

std::string collection(const slot& s) {
  return std::string{"/apis/security.istio.io/v1/namespaces/"} + s.ns + "/" + s.plural;
}

std::string body(const slot& s, size_t variant) {
  bool dry_run = s.dry_run_variant == static_cast<int>(variant);
  return std::string{R"({"apiVersion":"security.istio.io/v1","kind":")"} + s.kind
         + R"(","metadata":{"name":")" + s.name + R"(","namespace":")" + s.ns + "\""
         + (dry_run ? R"(,"annotations":{"istio.io/dry-run":"true"})" : "") + "},"
         + s.variants[variant] + "}";
}

} // namespace

void add_security_objects(sim_process& sim, const std::string& cluster) {
  const std::string crds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
  api_write(sim, cluster, "POST", crds, crd_json("authorizationpolicies", "AuthorizationPolicy"));
  api_write(sim, cluster, "POST", crds, crd_json("peerauthentications", "PeerAuthentication"));
  for (const auto& s : slots())
    if (!s.variants.front().empty())
      api_write(sim, cluster, "POST", collection(s), body(s, 0));
}

std::string churn_security_objects(sim_process& sim, const std::string& cluster,
                                   std::mt19937& rng) {
  const auto& s = slots()[rng() % slots().size()];
  auto variant = static_cast<size_t>(rng() % s.variants.size());
  auto path = collection(s) + "/" + s.name;
  if (s.variants[variant].empty())
    return api_write(sim, cluster, "DELETE", path, "", 404) == 404
               ? std::string{s.kind} + " delete of an absent one"
               : std::string{s.kind} + " deleted";
  if (api_write(sim, cluster, "PUT", path, body(s, variant), 404) != 404)
    return std::string{s.kind} + " changed";
  api_write(sim, cluster, "POST", collection(s), body(s, variant));
  return std::string{s.kind} + " created";
}

} // namespace ambient::bench

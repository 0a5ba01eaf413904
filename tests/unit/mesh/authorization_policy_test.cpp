#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "mesh/authorization_policy.hpp"
#include "support/authorization_rows.hpp"

using namespace ambient;
using namespace ambient::test;
using mesh::authorization_policy;

TEST_CASE("the scope of a policy follows its selector and namespace", "[mesh]") {
  run({
      {"no selector gives NAMESPACE scope", [](auto&) {}, head("scope: NAMESPACE"), ""},
      {"no selector in the root namespace gives GLOBAL scope",
       [](auto& ap) { ap.meta.namespace_ = "istio-system"; },
       "name: 'p' namespace: 'istio-system' scope: GLOBAL", ""},
      {"a selector gives WORKLOAD_SELECTOR scope",
       [](auto& ap) {
         ap.selector = kube::string_map{{"app", "web"}};
       },
       head("scope: WORKLOAD_SELECTOR"), ""},
      {"an empty selector still gives WORKLOAD_SELECTOR scope",
       [](auto& ap) { ap.selector = kube::string_map{}; }, head("scope: WORKLOAD_SELECTOR"), ""},
      {"a selector in the root namespace gives WORKLOAD_SELECTOR scope",
       [](auto& ap) {
         ap.meta.namespace_ = "istio-system";
         ap.selector = kube::string_map{{"app", "web"}};
       },
       "name: 'p' namespace: 'istio-system' scope: WORKLOAD_SELECTOR", ""},
  });
}

TEST_CASE("the action of a policy maps to ALLOW or DENY or to a status alone", "[mesh]") {
  run({
      {"an unset action is ALLOW", [](auto&) {}, head("scope: NAMESPACE action: ALLOW"), ""},
      {"ALLOW stays ALLOW", [](auto& ap) { ap.action = "ALLOW"; },
       head("scope: NAMESPACE action: ALLOW"), ""},
      {"DENY stays DENY", [](auto& ap) { ap.action = "DENY"; },
       head("scope: NAMESPACE action: DENY"), ""},
      {"AUDIT gives no resource and a status", [](auto& ap) { ap.action = "AUDIT"; }, std::nullopt,
       "ztunnel cannot enforce the AUDIT action"},
      {"CUSTOM gives no resource and a status", [](auto& ap) { ap.action = "CUSTOM"; },
       std::nullopt, "ztunnel cannot enforce the CUSTOM action"},
  });
}

TEST_CASE("dry run and targetRefs policies are ignored without a status", "[mesh]") {
  std::vector<row> rows;
  for (const char* v : {"1", "t", "T", "TRUE", "true", "True"})
    rows.push_back({v,
                    [v](auto& ap) {
                      ap.meta.annotations = {{"istio.io/dry-run", v}};
                    },
                    std::nullopt, ""});
  for (const char* v : {"0", "false", "yes", "on", "", " true"})
    rows.push_back({v,
                    [v](auto& ap) {
                      ap.meta.annotations = {{"istio.io/dry-run", v}};
                    },
                    head("scope: NAMESPACE"), ""});
  rows.push_back({"a targetRef wins over a selector",
                  [](auto& ap) {
                    ap.selector = kube::string_map{{"app", "web"}};
                    ap.has_target_refs = true;
                  },
                  std::nullopt, ""});
  rows.push_back({"a targetRef on a CUSTOM policy gives no status either",
                  [](auto& ap) {
                    ap.action = "CUSTOM";
                    ap.has_target_refs = true;
                  },
                  std::nullopt, ""});
  rows.push_back({"a dry run DENY policy with HTTP fields gives no status",
                  [](auto& ap) {
                    ap.action = "DENY";
                    ap.meta.annotations = {{"istio.io/dry-run", "true"}};
                    ap.rules = {to_with([](auto& op) { op.paths = {"/a"}; })};
                  },
                  std::nullopt, ""});
  run(rows);
  authorization_policy ap;
  ap.meta.annotations = {{"istio.io/dry-run", "true"}};
  CHECK(mesh::convert_authorization_policy(ap, "istio-system").ignored());
}

TEST_CASE("each rule becomes a group of to then from then when rules", "[mesh]") {
  run({
      {"no rules give no groups", [](auto&) {}, head("scope: NAMESPACE"), ""},
      {"an empty rule gives a group without rules that always matches",
       [](auto& ap) { ap.rules = {mesh::authz_rule{}}; }, head("scope: NAMESPACE groups {}"), ""},
      {"two rules give two groups in order",
       [](auto& ap) {
         ap.rules = {from_namespace("a"), from_namespace("b")};
       },
       head("scope: NAMESPACE"
            " groups { rules { matches { namespaces { exact: 'a' } } } }"
            " groups { rules { matches { namespaces { exact: 'b' } } } }"),
       ""},
      {"to and from and when entries keep that order with one match per entry",
       [](auto& ap) {
         mesh::authz_rule r;
         r.when = {{"source.namespace", {"w1"}, {}}, {"destination.port", {"81"}, {"82"}}};
         r.from = {{}, {}};
         r.from[0].namespaces = {"f1"};
         r.from[1].principals = {"f2"};
         r.to = {{}, {}};
         r.to[0].ports = {"80"};
         r.to[1].not_ports = {"90"};
         ap.rules = {r};
       },
       head("scope: NAMESPACE groups {"
            " rules { matches { destination_ports: 80 } matches { not_destination_ports: 90 } }"
            " rules { matches { namespaces { exact: 'f1' } }"
            "         matches { principals { exact: 'f2' } } }"
            " rules { matches { namespaces { exact: 'w1' } } }"
            " rules { matches { destination_ports: 81 not_destination_ports: 82 } } }"),
       ""},
  });
}

// The operator's view of authorization policies through the real binaries: kubectl applies a
// policy to the config cluster (kube-sim), and /debug/policies, /debug/workloads, /debug/xds,
// the dashboard's Policies panel in headless Chromium and `ambientctl policies` all show it and
// the workloads that carry it.
#include <catch2/catch.hpp>

#include <algorithm>
#include <regex>
#include <string>
#include <vector>

#include "sim/json.hpp"
#include "support/ambientd_harness.hpp"
#include "support/eventually.hpp"
#include "support/http_get.hpp"
#include "support/policy_yaml.hpp"

using namespace ambient;

namespace {

/// A debug endpoint's JSON body; REQUIREs a 200 JSON answer.
sim::json debug_json(const test::ambientd_harness& h, const std::string& path) {
  auto r = test::http_get(h.debug_url(path));
  INFO(path << ": " << r.body);
  REQUIRE(r.status == 200);
  CHECK(r.content_type == "application/json");
  auto doc = sim::parse_json(r.body, nullptr);
  REQUIRE(doc);
  return *doc;
}

/// The uids of the workloads /debug/policies says carry `name` (empty when it is not served).
std::vector<std::string> carriers(const test::ambientd_harness& h, const std::string& name) {
  std::vector<std::string> out;
  for (const auto& p : debug_json(h, "/debug/policies"))
    if (p.at("name") == name)
      for (const auto& uid : p.at("workloads"))
        out.push_back(uid.get<std::string>());
  return out;
}

} // namespace

TEST_CASE("debug views the dashboard and ambientctl show a policy and the workloads carrying it",
          "[interop]") {
  test::ambientd_harness h{1, "ambientd-operator-view"};
  h.seed(0, {1, 1, 2, 4, true}); // app-1: svc-1 and svc-2, two pods each
  h.kubectl("apply --validate=false -f " TEST_SUPPORT_DIR "/istio-security-crds.yaml");
  h.kubectl("wait --for condition=established --timeout=15s "
            "crd/authorizationpolicies.security.istio.io");
  h.kubectl("apply -f -", test::allow_shop_policy);
  h.start();
  REQUIRE(h.wait_log(R"(cluster cluster-1: synced)"));
  REQUIRE(test::eventually([&] { return carriers(h, "app-1/allow-shop").size() == 2; }));

  // /debug/policies and /debug/workloads agree: the two svc-1 pods list it.
  auto workloads = debug_json(h, "/debug/workloads");
  std::vector<std::string> listing;
  for (const auto& w : workloads)
    for (const auto& p : w.at("authorizationPolicies"))
      if (p == "app-1/allow-shop")
        listing.push_back(w.at("uid").get<std::string>());
  std::sort(listing.begin(), listing.end());
  CHECK(listing == carriers(h, "app-1/allow-shop"));
  auto policies = debug_json(h, "/debug/policies");
  REQUIRE(policies.size() == 1);
  CHECK(policies[0].at("scope") == "WORKLOAD_SELECTOR");
  CHECK(policies[0].at("action") == "ALLOW");
  CHECK(policies[0].at("groups") == 1);

  // /debug/xds counts it in the Authorization table (the xDS publisher is another actor: it
  // gets the delta after the aggregator made it).
  auto served = [&] {
    size_t n = 0;
    auto doc = debug_json(h, "/debug/xds");
    for (const auto& t : doc.at("tables"))
      if (t.at("typeUrl") == "type.googleapis.com/istio.security.Authorization")
        n = t.at("resources").get<size_t>();
    return n;
  };
  CHECK(test::eventually([&] { return served() == 1; }));

  // The dashboard's Policies panel: the policy and the number of workloads carrying it.
  auto dom = h.dashboard_dom();
  INFO(dom.output.substr(0, 4000));
  REQUIRE(dom.exit_code != 127); // scripts/setup-deps.sh installs Debian's chromium
  REQUIRE(dom.exit_code == 0);
  CHECK(dom.output.find(R"(<body data-loaded="true">)") != std::string::npos);
  CHECK(dom.output.find(R"(<tr data-policy="app-1/allow-shop"><td>app-1/allow-shop</td>)"
                        R"(<td>WORKLOAD_SELECTOR</td><td>ALLOW</td><td>2</td></tr>)")
        != std::string::npos);

  // ambientctl: every policy, then those of one svc-1 pod and of one svc-2 pod.
  const std::string ctl = std::string{AMBIENTCTL_BINARY}
                          + " policies --address 127.0.0.1:" + std::to_string(h.debug_port);
  auto all = test::run_command(ctl);
  INFO(all.output);
  REQUIRE(all.exit_code == 0);
  CHECK(std::regex_search(all.output,
                          std::regex{R"(app-1/allow-shop +WORKLOAD_SELECTOR +ALLOW +2\n)"}));
  auto one = test::run_command(ctl + " --workload '" + listing.at(0) + "'");
  INFO(one.output);
  CHECK(one.exit_code == 0);
  CHECK(one.output.find("app-1/allow-shop") != std::string::npos);
  std::string other;
  for (const auto& w : workloads)
    if (w.at("authorizationPolicies").empty())
      other = w.at("uid").get<std::string>();
  REQUIRE(!other.empty());
  auto none = test::run_command(ctl + " --workload '" + other + "'");
  CHECK(none.exit_code == 0);
  CHECK(none.output == "NAME  SCOPE  ACTION  WORKLOADS\n");
  auto unknown = test::run_command(ctl + " --workload no-such-uid");
  CHECK(unknown.exit_code == 1);
  CHECK(unknown.output.find("serves no workload with uid \"no-such-uid\"") != std::string::npos);
  CHECK(h.ambientd->stop() == 0);
}

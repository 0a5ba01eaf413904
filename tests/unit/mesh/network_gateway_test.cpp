#include <catch2/catch.hpp>

#include <functional>
#include <string>
#include <vector>

#include "mesh/network_gateway.hpp"
#include "support/mesh_service_builders.hpp"

using namespace ambient;
using namespace ambient::test::mesh_svc;

namespace {

/// An edit of a builder Gateway that a table row applies.
using edit = std::function<void(kube::gateway&)>;

void no_change(kube::gateway&) {
  // the builder's Gateway as it is
}

} // namespace

TEST_CASE("a Gateway is a network gateway only with istiod's label, class and listener", "[mesh]") {
  struct row {
    const char* rule;
    const char* cls;
    bool local;
    edit change;
    bool accepted;
  };
  std::vector<row> rows{
      {"local istio-remote with an HBONE listener", "istio-remote", true, no_change, true},
      {"local: the listener's TLS mode does not matter", "istio-remote", true,
       [](auto& g) { g.listeners[0].tls_mode = "Passthrough"; }, true},
      {"local: istio-east-west is not a local network gateway", "istio-east-west", true, no_change,
       false},
      {"remote istio-east-west with HBONE and TLS Terminate", "istio-east-west", false, no_change,
       true},
      {"remote: istio-remote is not a remote network gateway", "istio-remote", false, no_change,
       false},
      {"remote: TLS Passthrough is refused", "istio-east-west", false,
       [](auto& g) { g.listeners[0].tls_mode = "Passthrough"; }, false},
      {"remote: no TLS is refused", "istio-east-west", false,
       [](auto& g) { g.listeners[0].tls_mode.clear(); }, false},
      {"remote: a later HBONE listener with Terminate counts", "istio-east-west", false,
       [](auto& g) {
         g.listeners[0].tls_mode.clear();
         g.listeners.push_back({"tls", "HBONE", 15009, "Terminate"});
       },
       true},
      {"no topology.istio.io/network label", "istio-remote", true,
       [](auto& g) { g.meta.labels.clear(); }, false},
      {"an empty network label", "istio-remote", true,
       [](auto& g) { put(g.meta.labels, "topology.istio.io/network", ""); }, false},
      {"no HBONE listener", "istio-remote", true, [](auto& g) { g.listeners[0].protocol = "TLS"; },
       false},
      {"the protocol is case-sensitive", "istio-remote", true,
       [](auto& g) { g.listeners[0].protocol = "hbone"; }, false},
      {"no status address yet", "istio-remote", true, [](auto& g) { g.addresses.clear(); }, false},
  };
  for (const auto& r : rows) {
    INFO(r.rule);
    auto g = gateway(r.cls);
    r.change(g);
    CHECK(mesh::gateway_of(g, context(), r.local).has_value() == r.accepted);
    CHECK(mesh::network_gateways_of(g, context(), r.local).empty() == !r.accepted);
  }
}

TEST_CASE("a network gateway takes its network, cluster, name and ports from the Gateway",
          "[mesh]") {
  struct row {
    const char* rule;
    const char* cls;
    bool local;
    edit change;
    uint32_t hbone_port;
  };
  std::vector<row> rows{
      {"local: the HBONE listener's port", "istio-remote", true,
       [](auto& g) { g.listeners[0].port = 15443; }, 15443},
      {"local: the first HBONE listener's port", "istio-remote", true,
       [](auto& g) {
         g.listeners.insert(g.listeners.begin(), {"http", "HTTP", 80, ""});
         g.listeners.push_back({"mesh2", "HBONE", 16008, ""});
       },
       15008},
      {"remote: unset, whatever the listener's port", "istio-east-west", false,
       [](auto& g) { g.listeners[0].port = 15443; }, 0},
  };
  for (const auto& r : rows) {
    INFO(r.rule);
    auto g = gateway(r.cls);
    r.change(g);
    auto gw = mesh::gateway_of(g, context("cluster-7"), r.local);
    REQUIRE(gw);
    CHECK(gw->network == "network-2");
    CHECK(gw->cluster_id == "cluster-7");
    CHECK(gw->namespace_ == "istio-system");
    CHECK(gw->name == "eastwest");
    CHECK(gw->hbone_port == r.hbone_port);
  }
}

TEST_CASE("the service account is the annotation, else derived from the class", "[mesh]") {
  struct row {
    const char* rule;
    const char* cls;
    bool local;
    const char* annotation;
    const char* expected;
  };
  std::vector<row> rows{
      {"istio-remote: <name>-istio-remote", "istio-remote", true, nullptr, "eastwest-istio-remote"},
      {"istio-east-west: the Gateway's name", "istio-east-west", false, nullptr, "eastwest"},
      {"the annotation wins", "istio-remote", true, "gw-sa", "gw-sa"},
      {"an empty annotation is ignored", "istio-east-west", false, "", "eastwest"},
  };
  for (const auto& r : rows) {
    INFO(r.rule);
    auto g = gateway(r.cls);
    if (r.annotation != nullptr)
      put(g.meta.annotations, "gateway.istio.io/service-account", r.annotation);
    auto gw = mesh::gateway_of(g, context(), r.local);
    REQUIRE(gw);
    CHECK(gw->service_account == r.expected);
  }
}

TEST_CASE("only IPAddress and Hostname status addresses count, the others are counted", "[mesh]") {
  auto g = gateway("istio-east-west", "172.18.0.10");
  g.addresses.push_back({"", "172.18.0.11"}); // no type: istiod skips it
  g.addresses.push_back({"example.com/custom", "x"});
  g.addresses.push_back({"Hostname", "ew.example.com"});
  mesh::skip_log skips;
  auto all = mesh::network_gateways_of(g, context(), false, &skips);
  REQUIRE(all.size() == 2);
  CHECK(all[0].address == "172.18.0.10");
  CHECK(all[1].address == "ew.example.com");
  CHECK(skips.counts()[static_cast<size_t>(mesh::skip_reason::gateway_address_type)] == 2);
  auto notes = skips.take_notes();
  REQUIRE(notes.size() == 2);
  CHECK(notes[1].object == "istio-system/eastwest");
  CHECK(notes[1].detail.find("example.com/custom") != std::string::npos);
}

TEST_CASE("every status address is a network gateway and the first is the one used", "[mesh]") {
  auto g = gateway("istio-east-west", "eastwest.example.com");
  g.addresses.push_back({"IPAddress", "172.18.0.10"});
  g.addresses.push_back({"IPAddress", "fd00::10"});
  auto all = mesh::network_gateways_of(g, context(), false);
  REQUIRE(all.size() == 3);
  CHECK(all[0].address == "eastwest.example.com");
  CHECK(!all[0].address_is_ip);
  CHECK(all[1].address == "172.18.0.10");
  CHECK(all[1].address_is_ip);
  CHECK(all[2].address == "fd00::10");
  CHECK(all[2].address_is_ip);
  CHECK(mesh::gateway_of(g, context(), false) == all[0]);
}

TEST_CASE("network gateway uids and resource names follow istiod", "[mesh]") {
  struct row {
    const char* rule;
    const char* cls;
    bool local;
    const char* address;
    const char* uid;
  };
  std::vector<row> rows{
      {"local IP", "istio-remote", true, "172.18.0.10",
       "NetworkGateway/network-2/172.18.0.10/15008"},
      {"remote IP ends in 0", "istio-east-west", false, "172.18.0.10",
       "NetworkGateway/network-2/172.18.0.10/0"},
      {"hostname", "istio-remote", true, "gw.example.com",
       "NetworkGateway/network-2/gw.example.com/15008"},
  };
  for (const auto& r : rows) {
    INFO(r.rule);
    auto gw = mesh::gateway_of(gateway(r.cls, r.address), context(), r.local);
    REQUIRE(gw);
    CHECK(mesh::network_gateway_uid(*gw) == r.uid);
    CHECK(mesh::network_gateway_resource_name(*gw)
          == std::string{"istio-system/eastwest/"} + r.address);
  }
}

TEST_CASE("a gateway address is an IP on the network or a hostname in the namespace", "[mesh]") {
  struct row {
    const char* rule;
    const char* cls;
    bool local;
    int32_t listener_port;
    const char* address;
    bool is_ip;
    uint32_t hbone_mtls_port;
  };
  std::vector<row> rows{
      {"local IPv4 with the listener port", "istio-remote", true, 15443, "172.18.0.10", true,
       15443},
      {"remote IPv6 with the default port", "istio-east-west", false, 15443, "fd00::10", true,
       15008},
      {"remote hostname with the default port", "istio-east-west", false, 15008, "gw.example.com",
       false, 15008},
  };
  for (const auto& r : rows) {
    INFO(r.rule);
    auto gw = mesh::gateway_of(gateway(r.cls, r.address, r.listener_port), context(), r.local);
    REQUIRE(gw);
    istio::workload::GatewayAddress out;
    mesh::fill_gateway_address(*gw, out);
    CHECK(out.hbone_mtls_port() == r.hbone_mtls_port);
    if (r.is_ip) {
      REQUIRE(out.has_address());
      CHECK(out.address().network() == "network-2");
      CHECK(out.address().address() == *mesh::ip_bytes(r.address));
    } else {
      REQUIRE(out.has_hostname());
      CHECK(out.hostname().namespace_() == "istio-system");
      CHECK(out.hostname().hostname() == r.address);
    }
  }
}

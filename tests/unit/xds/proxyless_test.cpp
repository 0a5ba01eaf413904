#include <catch2/catch.hpp>

#include <array>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "envoy/config/cluster/v3/cluster.pb.h"
#include "envoy/config/endpoint/v3/endpoint.pb.h"
#include "envoy/config/listener/v3/listener.pb.h"
#include "envoy/config/route/v3/route.pb.h"
#include "envoy/extensions/filters/http/router/v3/router.pb.h"
#include "envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.pb.h"
#include "unit/xds/address_builders.hpp"
#include "xds/proxyless.hpp"

using namespace ambient;
using namespace ambient::xds;
using test::make_delta;
using test::service_key;
using strings = std::vector<std::string>;
using port_pairs = std::vector<std::pair<uint32_t, uint32_t>>; ///< (service_port, target_port)

namespace {

namespace core = envoy::config::core::v3;
namespace hcm = envoy::extensions::filters::network::http_connection_manager::v3;

const std::string echo = "echo.demo.svc.cluster.local";

/// Service "demo/<name>.demo.svc.cluster.local" with the given ports.
mesh::address_ptr service(const std::string& name, const port_pairs& ports,
                          const std::string& namespace_ = "demo") {
  istio::workload::Address a;
  auto* s = a.mutable_service();
  s->set_name(name);
  s->set_namespace_(namespace_);
  s->set_hostname(name + ".demo.svc.cluster.local");
  for (auto [service_port, target] : ports) {
    auto* p = s->add_ports();
    p->set_service_port(service_port);
    p->set_target_port(target);
  }
  return mesh::make_resource(namespace_ + "/" + s->hostname(), std::move(a));
}

struct workload_spec {
  std::string uid{};
  std::string ip{}; ///< "" for none
  std::map<std::string, port_pairs> services{};
  std::string region = "r1", zone = "z1", cluster = "c1";
  bool healthy = true;
  std::string revision{}; ///< canonical_revision: a label, no endpoint field
};

mesh::address_ptr workload(const workload_spec& spec) {
  istio::workload::Address a;
  auto* w = a.mutable_workload();
  w->set_uid(spec.uid);
  if (!spec.ip.empty())
    w->add_addresses(*mesh::ip_bytes(spec.ip));
  w->set_cluster_id(spec.cluster);
  w->mutable_locality()->set_region(spec.region);
  w->mutable_locality()->set_zone(spec.zone);
  w->set_status(spec.healthy ? istio::workload::HEALTHY : istio::workload::UNHEALTHY);
  w->set_canonical_revision(spec.revision);
  for (const auto& [key, ports] : spec.services) {
    auto& list = (*w->mutable_services())[key];
    for (auto [service_port, target] : ports) {
      auto* p = list.add_ports();
      p->set_service_port(service_port);
      p->set_target_port(target);
    }
  }
  return mesh::make_resource(spec.uid, std::move(a));
}

template <class Message>
Message parse(const std::string& bytes) {
  Message m;
  REQUIRE(m.ParseFromString(bytes));
  return m;
}

strings names(const proxyless_delta::table_change& t) {
  strings out;
  for (const auto& u : t.upserts)
    out.push_back(u.name);
  return out;
}

/// A load assignment as one line per locality group: "region/zone/sub_zone w<weight> p<priority>:
/// ip:port..." (an endpoint not HEALTHY is marked "!").
strings groups(const std::string& bytes) {
  auto cla = parse<envoy::config::endpoint::v3::ClusterLoadAssignment>(bytes);
  strings out;
  for (const auto& g : cla.endpoints()) {
    auto line = g.locality().region() + "/" + g.locality().zone() + "/" + g.locality().sub_zone()
                + " w" + std::to_string(g.load_balancing_weight().value()) + " p"
                + std::to_string(g.priority()) + ":";
    for (const auto& lb : g.lb_endpoints()) {
      const auto& sa = lb.endpoint().address().socket_address();
      line += " " + sa.address() + ":" + std::to_string(sa.port_value());
      if (lb.health_status() != core::HEALTHY)
        line += "!";
    }
    out.push_back(line);
  }
  return out;
}

/// The load assignment of `hostname:port` in `d`, as groups().
strings endpoints_of(const proxyless_delta& d, uint32_t port, const std::string& host = echo) {
  for (const auto& u : d.endpoints.upserts)
    if (u.name == cluster_name(host, port))
      return groups(u.bytes);
  FAIL("no load assignment for " << cluster_name(host, port));
  return {};
}

} // namespace

TEST_CASE("proxyless names follow xds:/// targets and istiod's outbound clusters", "[xds]") {
  CHECK(listener_name(echo, 80) == "echo.demo.svc.cluster.local:80");
  CHECK(cluster_name(echo, 80) == "outbound|80||echo.demo.svc.cluster.local");
}

TEST_CASE("a service port becomes an API listener reading its routes over ADS", "[xds]") {
  proxyless_view view;
  auto d = view.apply(make_delta(1, {service("echo", {{80, 8080}, {0, 1}})}));
  REQUIRE(names(d.listeners) == strings{echo + ":80"});
  auto l = parse<envoy::config::listener::v3::Listener>(d.listeners.upserts[0].bytes);
  CHECK(l.name() == echo + ":80");
  const auto& any = l.api_listener().api_listener();
  CHECK(any.type_url()
        == "type.googleapis.com/"
           "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager");
  auto manager = parse<hcm::HttpConnectionManager>(any.value());
  REQUIRE(manager.has_rds());
  CHECK(manager.rds().config_source().has_ads());
  CHECK(manager.rds().config_source().resource_api_version() == core::V3);
  CHECK(manager.rds().route_config_name() == echo + ":80");
  REQUIRE(manager.http_filters_size() >= 1);
  const auto& last = manager.http_filters(manager.http_filters_size() - 1);
  CHECK(last.name() == "envoy.filters.http.router");
  CHECK(last.typed_config().type_url()
        == "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router");
  parse<envoy::extensions::filters::http::router::v3::Router>(last.typed_config().value());
}

TEST_CASE("a route configuration sends host and host:port to the outbound cluster", "[xds]") {
  proxyless_view view;
  auto d = view.apply(make_delta(1, {service("echo", {{80, 8080}})}));
  REQUIRE(names(d.routes) == strings{echo + ":80"});
  auto rc = parse<envoy::config::route::v3::RouteConfiguration>(d.routes.upserts[0].bytes);
  CHECK(rc.name() == echo + ":80");
  REQUIRE(rc.virtual_hosts_size() == 1);
  const auto& vhost = rc.virtual_hosts(0);
  CHECK(vhost.name() == echo + ":80");
  CHECK(strings{vhost.domains().begin(), vhost.domains().end()} == strings{echo, echo + ":80"});
  REQUIRE(vhost.routes_size() == 1);
  CHECK(vhost.routes(0).match().has_prefix());
  CHECK(vhost.routes(0).match().prefix().empty());
  CHECK(vhost.routes(0).route().cluster() == cluster_name(echo, 80));
}

TEST_CASE("a cluster is EDS over ADS under its own name, round robin, 10s timeout", "[xds]") {
  proxyless_view view;
  auto d = view.apply(make_delta(1, {service("echo", {{80, 8080}})}));
  REQUIRE(names(d.clusters) == strings{cluster_name(echo, 80)});
  auto c = parse<envoy::config::cluster::v3::Cluster>(d.clusters.upserts[0].bytes);
  CHECK(c.name() == cluster_name(echo, 80));
  CHECK(c.type() == envoy::config::cluster::v3::Cluster::EDS);
  CHECK(c.eds_cluster_config().eds_config().has_ads());
  CHECK(c.eds_cluster_config().eds_config().resource_api_version() == core::V3);
  CHECK(c.eds_cluster_config().service_name() == cluster_name(echo, 80));
  CHECK(c.lb_policy() == envoy::config::cluster::v3::Cluster::ROUND_ROBIN);
  CHECK(c.connect_timeout().seconds() == 10);
  auto cla
      = parse<envoy::config::endpoint::v3::ClusterLoadAssignment>(d.endpoints.upserts[0].bytes);
  CHECK(cla.cluster_name() == cluster_name(echo, 80));
}

TEST_CASE("endpoints of two clusters in one locality share one group weighted by size", "[xds]") {
  proxyless_view view;
  const auto key = service_key("echo");
  auto d = view.apply(make_delta(
      1, {service("echo", {{80, 8080}}),
          workload({.uid = "a", .ip = "10.0.0.1", .services = {{key, {}}}, .cluster = "c2"}),
          workload({.uid = "b", .ip = "10.0.0.2", .services = {{key, {}}}, .cluster = "c1"}),
          workload({.uid = "c", .ip = "10.0.0.3", .services = {{key, {}}}, .region = "r0"})}));
  CHECK(endpoints_of(d, 80)
        == strings{"r0/z1/ w1 p0: 10.0.0.3:8080", "r1/z1/ w2 p0: 10.0.0.2:8080 10.0.0.1:8080"});
}

TEST_CASE("an endpoint port is the workload's target, else the service's, else the service port",
          "[xds]") {
  proxyless_view view;
  const auto key = service_key("echo");
  auto d = view.apply(make_delta(
      1, {service("echo", {{80, 8080}, {90, 0}}),
          workload({.uid = "a", .ip = "10.0.0.1", .services = {{key, {{80, 9000}, {90, 0}}}}}),
          workload({.uid = "b", .ip = "10.0.0.2", .services = {{key, {}}}}),
          workload({.uid = "c", .ip = "10.0.0.3", .services = {{key, {{80, 0}}}}})}));
  CHECK(endpoints_of(d, 80) == strings{"r1/z1/ w3 p0: 10.0.0.1:9000 10.0.0.2:8080 10.0.0.3:8080"});
  CHECK(endpoints_of(d, 90) == strings{"r1/z1/ w2 p0: 10.0.0.1:90 10.0.0.2:90"});
}

TEST_CASE("unhealthy and address-less workloads are not endpoints", "[xds]") {
  proxyless_view view;
  const auto key = service_key("echo");
  auto d = view.apply(make_delta(
      1, {service("echo", {{80, 0}}),
          workload({.uid = "a", .ip = "10.0.0.1", .services = {{key, {}}}, .healthy = false}),
          workload({.uid = "gateway-split", .services = {{key, {}}}}),
          workload({.uid = "c", .ip = "fd00::3", .services = {{key, {}}}})}));
  CHECK(endpoints_of(d, 80) == strings{"r1/z1/ w1 p0: fd00::3:80"});
}

TEST_CASE("a repeated endpoint address:port is kept once, the first in sort order", "[xds]") {
  proxyless_view view;
  const auto key = service_key("echo");
  auto d = view.apply(make_delta(
      1, {service("echo", {{80, 0}}),
          workload({.uid = "a", .ip = "10.0.0.1", .services = {{key, {}}}, .region = "r2"}),
          workload({.uid = "b", .ip = "10.0.0.1", .services = {{key, {}}}, .cluster = "c2"}),
          workload({.uid = "c", .ip = "10.0.0.1", .services = {{key, {}}}}),
          workload({.uid = "d", .ip = "10.0.0.1", .services = {{key, {{80, 81}}}}})}));
  CHECK(endpoints_of(d, 80) == strings{"r1/z1/ w2 p0: 10.0.0.1:80 10.0.0.1:81"});
}

TEST_CASE("a service without member workloads has an empty load assignment", "[xds]") {
  proxyless_view view;
  auto d = view.apply(make_delta(1, {service("echo", {{80, 0}})}));
  CHECK(names(d.endpoints) == strings{cluster_name(echo, 80)});
  CHECK(endpoints_of(d, 80).empty());
}

TEST_CASE("a port the service loses removes its four resources", "[xds]") {
  proxyless_view view;
  view.apply(make_delta(1, {service("echo", {{80, 0}, {8080, 0}})}));
  auto d = view.apply(make_delta(2, {service("echo", {{80, 0}})}));
  CHECK(d.listeners.removes == strings{echo + ":8080"});
  CHECK(d.routes.removes == strings{echo + ":8080"});
  CHECK(d.clusters.removes == strings{cluster_name(echo, 8080)});
  CHECK(d.endpoints.removes == strings{cluster_name(echo, 8080)});
  CHECK(d.listeners.upserts.empty()); // port 80's static resources are unchanged
  CHECK(names(d.endpoints) == strings{cluster_name(echo, 80)});
}

TEST_CASE("a workload change re-sends only the load assignments of its services", "[xds]") {
  proxyless_view view;
  view.apply(make_delta(1, {service("echo", {{80, 0}}), service("other", {{80, 0}})}));
  auto d = view.apply(make_delta(
      2, {workload({.uid = "a", .ip = "10.0.0.1", .services = {{service_key("echo"), {}}}})}));
  CHECK(d.listeners.empty());
  CHECK(d.routes.empty());
  CHECK(d.clusters.empty());
  CHECK(names(d.endpoints) == strings{cluster_name(echo, 80)});
  CHECK(view.apply(make_delta(3, {}, {"unknown"})).empty());
}

TEST_CASE("a service re-sent with a new waypoint but the same ports re-sends nothing", "[xds]") {
  proxyless_view view;
  view.apply(make_delta(1, {service("echo", {{80, 0}})}));
  auto bound = service("echo", {{80, 0}});
  istio::workload::Address a = bound->address;
  a.mutable_service()->mutable_waypoint()->mutable_hostname()->set_hostname("wp.demo.svc");
  CHECK(view.apply(make_delta(2, {mesh::make_resource(bound->name, std::move(a))})).empty());
  // Another port is a new listing: re-sent.
  CHECK(!view.apply(make_delta(3, {service("echo", {{80, 0}, {81, 0}})})).empty());
  CHECK(view.rebuild().listeners.upserts.size() == 2);
}

TEST_CASE("a workload change that moves no endpoint re-sends nothing", "[xds]") {
  proxyless_view view;
  const auto key = service_key("echo");
  workload_spec a{.uid = "a", .ip = "10.0.0.1", .services = {{key, {{80, 9000}}}}};
  view.apply(make_delta(1, {service("echo", {{80, 0}}), workload(a)}));
  a.revision = "v2"; // a relabelled pod
  CHECK(view.apply(make_delta(2, {workload(a)})).empty());
  // each endpoint field still re-sends the load assignment
  auto resent = [&](workload_spec changed, uint64_t version) {
    auto d = view.apply(make_delta(version, {workload(changed)}));
    view.apply(make_delta(version + 1, {workload(a)})); // back to the original
    return names(d.endpoints) == strings{cluster_name(echo, 80)};
  };
  auto b = a;
  b.ip = "10.0.0.2";
  CHECK(resent(b, 10));
  b = a;
  b.healthy = false;
  CHECK(resent(b, 20));
  b = a;
  b.zone = "z2";
  CHECK(resent(b, 30));
  b = a;
  b.cluster = "c2";
  CHECK(resent(b, 40));
  b = a;
  b.services[key] = {{80, 9001}};
  CHECK(resent(b, 50));
  b = a;
  b.services[service_key("other")] = {};
  CHECK(view.apply(make_delta(60, {service("other", {{80, 0}})})).endpoints.upserts.size() == 1);
  auto d = view.apply(make_delta(61, {workload(b)}));
  CHECK(endpoints_of(d, 80, "other.demo.svc.cluster.local")
        == strings{"r1/z1/ w1 p0: 10.0.0.1:80"});        // joins "other"
  auto back = view.apply(make_delta(62, {workload(a)})); // leaves "other" again
  CHECK(endpoints_of(back, 80, "other.demo.svc.cluster.local").empty());
}

TEST_CASE("removing a service removes all of its resources", "[xds]") {
  proxyless_view view;
  view.apply(make_delta(1, {service("echo", {{80, 0}, {90, 0}})}));
  auto d = view.apply(make_delta(2, {}, {service_key("echo")}));
  const strings listeners{echo + ":80", echo + ":90"};
  const strings clusters{cluster_name(echo, 80), cluster_name(echo, 90)};
  CHECK(d.listeners.removes == listeners);
  CHECK(d.routes.removes == listeners);
  CHECK(d.clusters.removes == clusters);
  CHECK(d.endpoints.removes == clusters);
  CHECK(d.endpoints.upserts.empty());
  CHECK(view.services() == 0);
}

TEST_CASE("a workload that arrives before its service is an endpoint once it comes", "[xds]") {
  proxyless_view view;
  const auto key = service_key("echo");
  CHECK(
      view.apply(make_delta(1, {workload({.uid = "a", .ip = "10.0.0.1", .services = {{key, {}}}})}))
          .empty());
  CHECK(view.workloads() == 1);
  auto d = view.apply(make_delta(2, {service("echo", {{80, 0}})}));
  CHECK(endpoints_of(d, 80) == strings{"r1/z1/ w1 p0: 10.0.0.1:80"});
  CHECK(endpoints_of(view.apply(make_delta(3, {}, {"a"})), 80).empty());
}

namespace {

using table_state = std::array<std::map<std::string, std::string>, 4>;

std::array<const proxyless_delta::table_change*, 4> tables(const proxyless_delta& d) {
  return {&d.listeners, &d.routes, &d.clusters, &d.endpoints};
}

/// A random service or workload out of a small universe, so deltas collide: two service keys
/// share hostname h0, workloads name a service that never comes, share IPs, lack addresses.
struct universe {
  std::mt19937 rng;
  strings keys{service_key("h0"), service_key("h1"), service_key("h2"),
               "zz/h0.demo.svc.cluster.local", service_key("ghost")};
  strings uids{"w0", "w1", "w2", "w3", "w4", "w5"};

  bool chance(int percent) {
    return std::uniform_int_distribution<int>{0, 99}(rng) < percent;
  }
  template <class T>
  const T& pick(const std::vector<T>& v) {
    return v[std::uniform_int_distribution<std::size_t>{0, v.size() - 1}(rng)];
  }
  port_pairs ports(int percent) {
    port_pairs out;
    for (uint32_t p : {80u, 8080u, 9090u, 0u})
      if (chance(percent))
        out.emplace_back(p, pick(std::vector<uint32_t>{0, 7000, 9000}));
    return out;
  }
  mesh::address_ptr any_service() {
    auto key = pick(strings{keys.begin(), keys.end() - 1});
    auto slash = key.find('/');
    auto name = key.substr(slash + 1, key.find('.') - slash - 1);
    return service(name, ports(50), key.substr(0, slash));
  }
  std::map<std::string, workload_spec> last{}; ///< by uid, for label-only changes
  mesh::address_ptr any_workload() {
    if (!last.empty() && chance(30)) { // the same workload relabelled: no endpoint moves
      auto it = std::next(last.begin(),
                          std::uniform_int_distribution<long>{0, long(last.size()) - 1}(rng));
      it->second.revision = pick(strings{"v1", "v2", "v3"});
      return workload(it->second);
    }
    workload_spec w{.uid = pick(uids), .ip = pick(strings{"10.0.0.1", "10.0.0.2", "", "fd00::1"})};
    for (const auto& key : keys)
      if (chance(40))
        w.services[key] = chance(50) ? port_pairs{} : ports(50);
    w.region = pick(strings{"r1", "r2"});
    w.zone = pick(strings{"z1", "z2"});
    w.cluster = pick(strings{"c1", "c2"});
    w.healthy = chance(80);
    last[w.uid] = w;
    return workload(w);
  }
  mesh::mesh_delta any_delta(uint64_t version) {
    mesh::mesh_delta d;
    d.version = version;
    for (int ops = std::uniform_int_distribution<int>{1, 4}(rng); ops > 0; --ops) {
      if (chance(35))
        d.removed.push_back(chance(50) ? pick(keys) : pick(uids));
      else
        d.upserted.push_back(chance(40) ? any_service() : any_workload());
    }
    return d;
  }
};

} // namespace

TEST_CASE("random mesh deltas keep the proxyless tables equal to a rebuild", "[xds]") {
  std::size_t removed = 0, split = 0; // the walk must reach removals and several localities
  for (unsigned seed : {1u, 2u, 3u}) {
    universe u{std::mt19937{seed}};
    proxyless_view view;
    table_state state;
    for (uint64_t step = 1; step <= 300; ++step) {
      INFO("seed " << seed << " step " << step);
      auto d = view.apply(u.any_delta(step));
      auto changes = tables(d);
      for (std::size_t t = 0; t < state.size(); ++t) {
        for (const auto& name : changes[t]->removes)
          CHECK(state[t].erase(name) == 1);
        for (const auto& up : changes[t]->upserts)
          state[t][up.name] = up.bytes;
      }
      removed += d.endpoints.removes.size();
      for (const auto& up : d.endpoints.upserts)
        split += groups(up.bytes).size() > 1 ? 1 : 0;
      auto oracle = view.rebuild();
      auto expected = tables(oracle);
      for (std::size_t t = 0; t < state.size(); ++t) {
        table_state::value_type want;
        for (const auto& up : expected[t]->upserts)
          want[up.name] = up.bytes;
        REQUIRE(state[t] == want);
      }
    }
  }
  CHECK(removed > 0);
  CHECK(split > 0);
}

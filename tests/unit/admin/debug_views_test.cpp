#include <catch2/catch.hpp>

#include "admin/debug_views.hpp"
#include "admin/policy_views.hpp"
#include "admin/waypoint_views.hpp"
#include "messages/cluster_status_json.hpp"
#include "sim/json.hpp"

using namespace ambient;
using fleet::lifecycle;

namespace {

messages::cluster_status_row row(const std::string& id, lifecycle state,
                                 const std::string& sync_status) {
  messages::cluster_status_row r;
  r.cluster_id = id;
  r.state = state;
  r.sync_status = sync_status;
  return r;
}

sim::json parse(const std::string& text) {
  std::string error;
  auto doc = sim::parse_json(text, &error);
  INFO(error << "\n" << text);
  REQUIRE(doc);
  return *doc;
}

mesh::address_ptr workload(const std::string& uid, std::vector<std::string> ips,
                           std::vector<std::string> services) {
  istio::workload::Address a;
  auto* w = a.mutable_workload();
  w->set_uid(uid);
  w->set_name("reviews-v1");
  w->set_namespace_("bookinfo");
  w->set_cluster_id("cluster-2");
  w->set_network("network-1");
  w->set_node("node-1");
  w->set_service_account("bookinfo-reviews");
  w->set_tunnel_protocol(istio::workload::HBONE);
  for (auto& ip : ips)
    w->add_addresses(ip);
  for (auto& s : services)
    (*w->mutable_services())[s];
  return mesh::make_resource(uid, a);
}

} // namespace

TEST_CASE("clusterz has istiod's fields, ambientd's own, and escapes errors", "[admin]") {
  messages::cluster_store_status s;
  s.clusters.push_back(row("cluster-1", lifecycle::synced, "synced"));
  auto bad = row("cluster-3", lifecycle::failed, "closed");
  bad.secret = "istio-system/istio-remote-secret-cluster-3";
  bad.last_error = "kubeconfig \"x\" is not valid YAML\nline 2";
  bad.restarts = 2;
  bad.generation = 4;
  bad.since = std::chrono::system_clock::time_point{std::chrono::seconds{1'800'000'000}};
  bad.stale_for = std::chrono::milliseconds{93'250};
  bad.suspended = true;
  messages::informer_status_row inf;
  inf.resource = "pods";
  inf.synced = true;
  inf.objects = 12;
  bad.informers.push_back(inf);
  s.clusters.push_back(bad);
  auto doc = parse(messages::cluster_status_json(s));
  REQUIRE(doc.size() == 2);
  const auto& c1 = doc[0];
  CHECK(sim::find_path(c1, {"id"})->get<std::string>() == "cluster-1");
  CHECK(sim::find_path(c1, {"secretName"})->get<std::string>() == "");
  CHECK(sim::find_path(c1, {"since"})->get<std::string>() == "");
  CHECK(sim::find_path(c1, {"staleSeconds"})->is_null()); // current data: no age
  CHECK_FALSE(sim::find_path(c1, {"suspended"})->get<bool>());
  const auto& c3 = doc[1];
  CHECK(sim::find_path(c3, {"syncStatus"})->get<std::string>() == "closed");
  CHECK(sim::find_path(c3, {"state"})->get<std::string>() == "failed");
  CHECK(sim::find_path(c3, {"lastError"})->get<std::string>() == bad.last_error);
  CHECK(sim::find_path(c3, {"restarts"})->get<int64_t>() == 2);
  CHECK(sim::find_path(c3, {"generation"})->get<int64_t>() == 4);
  CHECK(sim::find_path(c3, {"since"})->get<std::string>() == "2027-01-15T08:00:00Z");
  CHECK(sim::find_path(c3, {"informers"})->at(0).at("objects").get<int64_t>() == 12);
  CHECK(sim::find_path(c3, {"staleSeconds"})->get<double>() == 93.25);
  CHECK(sim::find_path(c3, {"suspended"})->get<bool>());
  CHECK(messages::cluster_status_summary(s)
        == "cluster-1: synced (synced)\ncluster-3: closed (failed), suspended: " + bad.last_error
               + "\n");
}

TEST_CASE("workloads lists workloads only, with readable addresses and sorted services",
          "[admin]") {
  std::vector<mesh::address_ptr> view;
  view.push_back(workload(
      "cluster-2//Pod/bookinfo/reviews-v1", {std::string{"\x0a\x02\x00\x05", 4}},
      {"bookinfo/reviews.bookinfo.svc.cluster.local", "bookinfo/a.bookinfo.svc.cluster.local"}));
  std::string v6(16, '\0');
  v6[0] = '\xfd';
  v6[15] = '\x01';
  view.push_back(workload("cluster-2//Pod/bookinfo/v6", {v6, std::string{"xyz"}}, {}));
  istio::workload::Address svc;
  svc.mutable_service()->set_name("reviews");
  view.push_back(mesh::make_resource("bookinfo/reviews.bookinfo.svc.cluster.local", svc));
  auto doc = parse(admin::workloads_json(view));
  REQUIRE(doc.size() == 2);
  const auto& w = doc[0];
  CHECK(sim::find_path(w, {"uid"})->get<std::string>() == "cluster-2//Pod/bookinfo/reviews-v1");
  CHECK(sim::find_path(w, {"addresses"})->at(0).get<std::string>() == "10.2.0.5");
  CHECK(sim::find_path(w, {"protocol"})->get<std::string>() == "HBONE");
  CHECK(sim::find_path(w, {"status"})->get<std::string>() == "Healthy");
  CHECK(sim::find_path(w, {"serviceAccount"})->get<std::string>() == "bookinfo-reviews");
  CHECK(sim::find_path(w, {"services"})->at(0).get<std::string>()
        == "bookinfo/a.bookinfo.svc.cluster.local");
  const auto& w6 = doc[1];
  CHECK(sim::find_path(w6, {"addresses"})->at(0).get<std::string>() == "fd00::1");
  CHECK(sim::find_path(w6, {"addresses"})->at(1).get<std::string>() == "invalid(3 bytes)");
}

TEST_CASE("workloads shows the network gateway a split-horizon workload is reached through",
          "[admin]") {
  istio::workload::Address a;
  auto* w = a.mutable_workload();
  w->set_uid("network-2/SplitHorizonWorkload/istio-system/ew/172.18.0.10/demo/web");
  w->mutable_capacity()->set_value(3);
  auto* gw = w->mutable_network_gateway();
  gw->mutable_address()->set_network("network-2");
  gw->mutable_address()->set_address(std::string{"\xac\x12\x00\x0a", 4});
  gw->set_hbone_mtls_port(15008);
  istio::workload::Address h;
  h.mutable_workload()->set_uid("NetworkGateway/network-2/ew.example.com/15008");
  h.mutable_workload()->set_hostname("ew.example.com");
  auto doc = parse(admin::workloads_json(
      {mesh::make_resource(w->uid(), a), mesh::make_resource(h.workload().uid(), h)}));
  REQUIRE(doc.size() == 2);
  CHECK(sim::find_path(doc[0], {"capacity"})->get<int64_t>() == 3);
  CHECK(sim::find_path(doc[0], {"networkGateway", "network"})->get<std::string>() == "network-2");
  CHECK(sim::find_path(doc[0], {"networkGateway", "address"})->get<std::string>() == "172.18.0.10");
  CHECK(sim::find_path(doc[0], {"networkGateway", "hboneMtlsPort"})->get<int64_t>() == 15008);
  CHECK(sim::find_path(doc[1], {"hostname"})->get<std::string>() == "ew.example.com");
  CHECK(sim::find_path(doc[1], {"networkGateway"}) == nullptr);
}

TEST_CASE("workloads shows the waypoint and the application tunnel", "[admin][waypoint]") {
  istio::workload::Address a;
  auto* w = a.mutable_workload();
  w->set_uid("c1//Pod/bookinfo/reviews-0");
  w->mutable_waypoint()->mutable_hostname()->set_namespace_("bookinfo");
  w->mutable_waypoint()->mutable_hostname()->set_hostname("waypoint.bookinfo.svc.cluster.local");
  w->mutable_waypoint()->set_hbone_mtls_port(15008);
  istio::workload::Address i;
  i.mutable_workload()->set_uid("c1//Pod/bookinfo/waypoint-0");
  i.mutable_workload()->mutable_application_tunnel()->set_protocol(
      istio::workload::ApplicationTunnel::PROXY);
  i.mutable_workload()->mutable_application_tunnel()->set_port(15088);
  auto doc = parse(admin::workloads_json(
      {mesh::make_resource(w->uid(), a), mesh::make_resource(i.workload().uid(), i)}));
  REQUIRE(doc.size() == 2);
  CHECK(sim::find_path(doc[0], {"waypoint", "hostname"})->get<std::string>()
        == "waypoint.bookinfo.svc.cluster.local");
  CHECK(sim::find_path(doc[0], {"waypoint", "namespace"})->get<std::string>() == "bookinfo");
  CHECK(sim::find_path(doc[0], {"waypoint", "hboneMtlsPort"})->get<int64_t>() == 15008);
  CHECK(sim::find_path(doc[0], {"applicationTunnel"}) == nullptr);
  CHECK(sim::find_path(doc[1], {"waypoint"}) == nullptr);
  CHECK(sim::find_path(doc[1], {"applicationTunnel", "protocol"})->get<std::string>() == "PROXY");
  CHECK(sim::find_path(doc[1], {"applicationTunnel", "port"})->get<int64_t>() == 15088);
}

TEST_CASE("waypoints lists each waypoint and each object naming one", "[admin][waypoint]") {
  mesh::waypoint_report r;
  mesh::waypoint wp;
  wp.namespace_ = "infra";
  wp.name = "shared";
  wp.gateway_class = "istio-waypoint";
  wp.traffic_type = "all";
  wp.address = mesh::waypoint_address{false, "network-1", std::string{"\x0a\x00\x00\x09", 4}};
  wp.binding = mesh::inbound_binding{istio::workload::ApplicationTunnel::PROXY, 15088};
  wp.attach.from = mesh::attachment_rule::source::selector;
  wp.attach.selector = std::get<mesh::label_selector>(mesh::label_selector::make(
      {{"team", "a"}}, {{"env", mesh::selector_operator::in, {"prod"}}}, "s"));
  wp.service_accounts = {"waypoint"};
  r.waypoints.push_back({"cluster-1", wp, 2, 5, 1});
  r.bindings.push_back({"cluster-1", "Service", "app/web", "infra/shared", "Bound", true, false});
  r.bindings.push_back(
      {"cluster-1", "Pod", "app/web-0", "app/gone", "WaypointIsNotReady", false, std::nullopt});
  auto doc = parse(admin::waypoints_json(r));
  const auto& w = (*sim::find_path(doc, {"waypoints"}))[0];
  CHECK(sim::find_path(w, {"cluster"})->get<std::string>() == "cluster-1");
  CHECK(sim::find_path(w, {"trafficType"})->get<std::string>() == "all");
  CHECK(sim::find_path(w, {"address", "address"})->get<std::string>() == "10.0.0.9");
  CHECK(sim::find_path(w, {"address", "network"})->get<std::string>() == "network-1");
  CHECK(sim::find_path(w, {"inboundBinding", "protocol"})->get<std::string>() == "PROXY");
  CHECK(sim::find_path(w, {"inboundBinding", "port"})->get<int64_t>() == 15088);
  CHECK(sim::find_path(w, {"allowedRoutes", "from"})->get<std::string>() == "Selector");
  CHECK(sim::find_path(w, {"allowedRoutes", "selector", "matchLabels", "team"})->get<std::string>()
        == "a");
  CHECK(sim::find_path(w, {"allowedRoutes", "selector", "matchExpressions"})->size() == 1);
  CHECK(sim::find_path(w, {"services"})->get<int64_t>() == 2);
  CHECK(sim::find_path(w, {"workloads"})->get<int64_t>() == 5);
  CHECK(sim::find_path(w, {"instances"})->get<int64_t>() == 1);
  const auto& b = *sim::find_path(doc, {"bindings"});
  REQUIRE(b.size() == 2);
  CHECK(sim::find_path(b[0], {"ingressUseWaypoint"})->get<bool>() == false);
  CHECK(sim::find_path(b[0], {"address"})->get<bool>());
  CHECK(sim::find_path(b[1], {"status"})->get<std::string>() == "WaypointIsNotReady");
  CHECK(sim::find_path(b[1], {"ingressUseWaypoint"}) == nullptr);
}

TEST_CASE("the actor tree nests children under parents; an orphan hangs at the root", "[admin]") {
  std::vector<telemetry::actor_record> actors{
      {1, 0, "cluster_store", "", 10, 0, {}},
      {2, 1, "remote_cluster", "c2", 5, 1, std::chrono::milliseconds{1500}},
      {3, 2, "informer", "c2", 7, 0, {}},
      {4, 99, "informer", "c9", 1, 0, {}}};
  auto doc = parse(admin::actors_json(actors));
  CHECK(sim::find_path(doc, {"actors"})->get<int64_t>() == 4);
  const auto& tree = *sim::find_path(doc, {"tree"});
  REQUIRE(tree.size() == 2);
  CHECK(sim::find_path(tree[0], {"kind"})->get<std::string>() == "cluster_store");
  const auto& rc = sim::find_path(tree[0], {"children"})->at(0);
  CHECK(sim::find_path(rc, {"cluster"})->get<std::string>() == "c2");
  CHECK(sim::find_path(rc, {"busyMs"})->get<int64_t>() == 1500);
  CHECK(sim::find_path(rc, {"children"})->at(0).at("id").get<int64_t>() == 3);
  CHECK(sim::find_path(tree[1], {"id"})->get<int64_t>() == 4);
}

namespace {

mesh::authorization_ptr policy(const std::string& ns, const std::string& name,
                               istio::security::Scope scope, istio::security::Action action,
                               int groups) {
  istio::security::Authorization a;
  a.set_name(name);
  a.set_namespace_(ns);
  a.set_scope(scope);
  a.set_action(action);
  for (int i = 0; i < groups; ++i)
    a.add_groups();
  return mesh::make_authorization(std::move(a));
}

mesh::address_ptr listing(const std::string& uid, std::vector<std::string> policies) {
  auto r = workload(uid, {}, {});
  auto a = r->address;
  for (auto& p : policies)
    a.mutable_workload()->add_authorization_policies(p);
  return mesh::make_resource(uid, a);
}

std::vector<std::string> strings_at(const sim::json& doc,
                                    std::initializer_list<std::string_view> path) {
  std::vector<std::string> out;
  for (const auto& v : *sim::find_path(doc, path))
    out.push_back(v.get<std::string>());
  return out;
}

} // namespace

TEST_CASE("workloads lists each workload's authorization policies in its order", "[admin]") {
  auto doc = parse(admin::workloads_json(
      {listing("c1//Pod/bookinfo/a", {"bookinfo/z", "istio-system/istio_converted_static_strict"}),
       listing("c1//Pod/bookinfo/b", {})}));
  REQUIRE(doc.size() == 2);
  CHECK(strings_at(doc[0], {"authorizationPolicies"})
        == std::vector<std::string>{"bookinfo/z", "istio-system/istio_converted_static_strict"});
  CHECK(strings_at(doc[1], {"authorizationPolicies"}).empty());
}

TEST_CASE("policies lists each Authorization in name order with the workloads that list it",
          "[admin]") {
  using namespace istio::security;
  istio::workload::Address svc;
  svc.mutable_service()->set_name("reviews");
  auto doc = parse(
      admin::policies_json({policy("bookinfo", "z", WORKLOAD_SELECTOR, ALLOW, 2),
                            policy("istio-system", "mesh", GLOBAL, DENY, 0),
                            policy("bookinfo", "a", NAMESPACE, DENY, 1)},
                           {listing("c2//Pod/bookinfo/y", {"bookinfo/z", "bookinfo/not-served"}),
                            mesh::make_resource("bookinfo/reviews.bookinfo.svc.cluster.local", svc),
                            listing("c1//Pod/bookinfo/x", {"bookinfo/z"})}));
  REQUIRE(doc.size() == 3);
  CHECK(sim::find_path(doc[0], {"name"})->get<std::string>() == "bookinfo/a");
  CHECK(sim::find_path(doc[0], {"scope"})->get<std::string>() == "NAMESPACE");
  CHECK(strings_at(doc[0], {"workloads"}).empty());
  const auto& z = doc[1];
  CHECK(sim::find_path(z, {"name"})->get<std::string>() == "bookinfo/z");
  CHECK(sim::find_path(z, {"namespace"})->get<std::string>() == "bookinfo");
  CHECK(sim::find_path(z, {"scope"})->get<std::string>() == "WORKLOAD_SELECTOR");
  CHECK(sim::find_path(z, {"action"})->get<std::string>() == "ALLOW");
  CHECK(sim::find_path(z, {"groups"})->get<int64_t>() == 2);
  CHECK(strings_at(z, {"workloads"})
        == std::vector<std::string>{"c1//Pod/bookinfo/x", "c2//Pod/bookinfo/y"});
  CHECK(sim::find_path(doc[2], {"name"})->get<std::string>() == "istio-system/mesh");
  CHECK(sim::find_path(doc[2], {"action"})->get<std::string>() == "DENY");
  CHECK(sim::find_path(doc[2], {"groups"})->get<int64_t>() == 0);
  CHECK(admin::policies_json({}, {}) == "[]");
}

TEST_CASE("xds debug lists tables and streams", "[admin]") {
  messages::xds_status s;
  s.tables.push_back({"type.googleapis.com/istio.workload.Address", "ab-3", 14});
  s.tables.push_back({"type.googleapis.com/istio.security.Authorization", "ab-2", 3});
  messages::xds_stream_row st;
  st.id = 5;
  st.peer = "ipv4:127.0.0.1:5000";
  st.protocol = "delta";
  messages::xds_type_row t;
  t.type_url = "type.googleapis.com/istio.workload.Address";
  t.wildcard = true;
  t.nacks = 1;
  t.last_error = "bad \"thing\"";
  st.types.push_back(t);
  s.streams.push_back(st);
  auto doc = parse(admin::xds_json(s));
  CHECK(sim::find_path(doc, {"tables"})->at(0).at("version").get<std::string>() == "ab-3");
  const auto& authz = sim::find_path(doc, {"tables"})->at(1);
  CHECK(authz.at("typeUrl").get<std::string>()
        == "type.googleapis.com/istio.security.Authorization");
  CHECK(authz.at("resources").get<int64_t>() == 3);
  const auto& type = sim::find_path(doc, {"streams"})->at(0).at("types").at(0);
  CHECK(sim::find_path(type, {"wildcard"})->get<bool>());
  CHECK(sim::find_path(type, {"nacks"})->get<int64_t>() == 1);
  CHECK(sim::find_path(type, {"lastError"})->get<std::string>() == "bad \"thing\"");
}

TEST_CASE("readiness: xDS serving and the config cluster synced; remote clusters only when "
          "required, and a failed one never holds it back",
          "[admin]") {
  messages::cluster_store_status s;
  s.clusters.push_back(row("config", lifecycle::syncing, "syncing"));
  s.clusters.push_back(row("east", lifecycle::syncing, "syncing"));
  s.clusters.push_back(row("west", lifecycle::failed, "closed"));
  auto ready = [&](bool xds, bool require) {
    return admin::evaluate_readiness(&s, "config", true, xds, require);
  };
  CHECK(ready(false, false).reason == "xDS is not serving");
  CHECK(!ready(true, false).ready);
  CHECK(ready(true, false).reason == "config cluster config is syncing");
  s.clusters[0].state = lifecycle::synced;
  CHECK(ready(true, false).ready);
  CHECK(!ready(true, true).ready);
  CHECK(ready(true, true).reason == "remote cluster east is syncing");
  s.clusters[1].state = lifecycle::timeout;
  CHECK(ready(true, true).ready);
  CHECK(!admin::evaluate_readiness(nullptr, "config", true, true, false).ready);
  CHECK(admin::evaluate_readiness(nullptr, "config", false, true, false).ready);
  messages::cluster_store_status empty;
  CHECK(admin::evaluate_readiness(&empty, "config", true, true, false).reason
        == "config cluster config is not registered yet");
}

#include <catch2/catch.hpp>

#include <string>

#include "sim/api_defaults.hpp"
#include "support/sim_json.hpp"

using namespace ambient::sim;
using ambient::test::json_doc;

namespace {

const resource_type& services() {
  return *find_resource("", "v1", "services");
}
const resource_type& slices() {
  return *find_resource("discovery.k8s.io", "v1", "endpointslices");
}
const resource_type& gateways() {
  return *find_resource("gateway.networking.k8s.io", "v1", "gateways");
}

} // namespace

TEST_CASE("a Service port's protocol defaults to TCP", "[sim]") {
  auto svc = json_doc(R"({"spec":{"ports":[{"port":80},{"port":53,"protocol":"UDP"}]}})");
  apply_api_defaults(services(), svc);
  CHECK(svc["spec"]["ports"][0]["protocol"] == "TCP");
  CHECK(svc["spec"]["ports"][1]["protocol"] == "UDP");
}

TEST_CASE("a Service port's targetPort defaults to its port", "[sim]") {
  auto svc = json_doc(R"({"spec":{"ports":[{"port":80},{"port":81,"targetPort":"http"}]}})");
  apply_api_defaults(services(), svc);
  CHECK(svc["spec"]["ports"][0]["targetPort"] == 80);
  CHECK(svc["spec"]["ports"][1]["targetPort"] == "http");
}

TEST_CASE("a Service's type defaults to ClusterIP and a given type is kept", "[sim]") {
  auto svc = json_doc(R"({"spec":{"ports":[{"port":80}]}})");
  apply_api_defaults(services(), svc);
  CHECK(svc["spec"]["type"] == "ClusterIP");
  auto external = json_doc(R"({"spec":{"type":"ExternalName","externalName":"db.example"}})");
  apply_api_defaults(services(), external);
  CHECK(external["spec"]["type"] == "ExternalName");
}

TEST_CASE("an EndpointSlice port's name defaults to the empty string", "[sim]") {
  auto slice = json_doc(R"({"ports":[{"port":5432},{"name":"tcp-db","port":5433}]})");
  apply_api_defaults(slices(), slice);
  CHECK(slice["ports"][0]["name"] == "");
  CHECK(slice["ports"][1]["name"] == "tcp-db");
}

TEST_CASE("an EndpointSlice port's protocol defaults to TCP", "[sim]") {
  auto slice = json_doc(R"({"ports":[{"port":5432},{"port":53,"protocol":"UDP"}]})");
  apply_api_defaults(slices(), slice);
  CHECK(slice["ports"][0]["protocol"] == "TCP");
  CHECK(slice["ports"][1]["protocol"] == "UDP");
}

TEST_CASE("a Gateway status address's type defaults to IPAddress", "[sim]") {
  auto gw = json_doc(R"({"status":{"addresses":[{"value":"203.0.113.1"},)"
                     R"({"type":"Hostname","value":"gw.example"}]}})");
  apply_api_defaults(gateways(), gw);
  CHECK(gw["status"]["addresses"][0]["type"] == "IPAddress");
  CHECK(gw["status"]["addresses"][1]["type"] == "Hostname");
}

TEST_CASE("defaulting leaves other kinds and members of the wrong type alone", "[sim]") {
  const std::string odd = R"({"spec":{"ports":"80"},"ports":[7,{"port":1}]})";
  auto pod = json_doc(odd);
  apply_api_defaults(*find_resource("", "v1", "pods"), pod);
  CHECK(dump_json(pod) == dump_json(json_doc(odd)));
  auto svc = json_doc(R"({"spec":{"ports":"80"}})");
  apply_api_defaults(services(), svc);
  CHECK(svc["spec"]["ports"] == "80");
  auto slice = json_doc(R"({"ports":[7,null]})");
  apply_api_defaults(slices(), slice);
  CHECK(dump_json(slice["ports"]) == "[7,null]");
  auto gw = json_doc(R"({"status":[]})");
  apply_api_defaults(gateways(), gw);
  CHECK(gw["status"].is_array());
}

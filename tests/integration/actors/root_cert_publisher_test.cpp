#include <catch2/catch.hpp>

#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <caf/all.hpp>

#include "actors/root_cert_publisher.hpp"
#include "messages/type_ids.hpp"
#include "sim/json.hpp"
#include "sim/objects.hpp"
#include "support/actor_fixture.hpp"
#include "support/eventually.hpp"
#include "support/sim_fixture.hpp"
#include "support/sim_objects.hpp"

using namespace ambient;
using namespace std::chrono_literals;

namespace {

const std::string roots1 = "-----BEGIN CERTIFICATE-----\nONE\n-----END CERTIFICATE-----\n";
const std::string roots2 = roots1 + "-----BEGIN CERTIFICATE-----\nTWO\n-----END CERTIFICATE-----\n";

struct publisher_fixture : test::live_actor_fixture {
  test::sim_fixture sim;
  std::shared_ptr<kube::transport> transport = std::make_shared<kube::transport>();
  caf::actor publisher;

  explicit publisher_fixture(std::vector<mesh::label_selector> selectors = {}) {
    actors::root_cert_publisher_config pc;
    pc.transport = transport;
    pc.client = transport->add_client(sim.settings());
    pc.cluster_id = sim.cluster().name();
    pc.roots_pem = roots1;
    pc.discovery_selectors = std::move(selectors);
    pc.reflector.retry.initial = 50ms;
    pc.reflector.retry.cap = 400ms;
    publisher = sys.spawn(actors::root_cert_publisher_impl, pc);
  }

  ~publisher_fixture() {
    end_and_wait(publisher, caf::exit_reason::user_shutdown);
  }

  void lead(bool leading = true) {
    caf::anon_send(publisher, messages::leadership{leading, "replica-a"});
  }

  /// The data of `ns`'s istio-ca-root-cert, none when it has none.
  std::optional<std::map<std::string, std::string>> data_of(const std::string& ns) {
    auto got = sim.cluster().data().get(*sim::find_resource("", "v1", "configmaps"), ns,
                                        "istio-ca-root-cert");
    if (got.error || !got.object)
      return std::nullopt;
    auto doc = sim::parse_json(got.object->json, nullptr);
    std::map<std::string, std::string> out;
    if (const auto* data = doc ? sim::find_path(*doc, {"data"}) : nullptr)
      for (auto it = data->begin(); it != data->end(); ++it)
        out[it.key()] = it.value().get<std::string>();
    if (const auto* label
        = doc ? sim::find_path(*doc, {"metadata", "labels", "istio.io/config"}) : nullptr)
      out["label istio.io/config"] = label->get<std::string>();
    return out;
  }

  /// Whether `ns` holds exactly `roots`.
  bool holds(const std::string& ns, const std::string& roots) {
    auto d = data_of(ns);
    return d && (*d)["root-cert.pem"] == roots;
  }

  void create_namespace(const std::string& name, std::map<std::string, std::string> labels = {}) {
    test::must_create(sim.cluster(), "namespaces", "",
                      sim::make_namespace_json(name, labels, std::chrono::system_clock::now()));
  }
};

} // namespace

TEST_CASE("the root cert publisher keeps the CA roots in every namespace while it leads",
          "[actors][integration]") {
  publisher_fixture fx;
  // Not leading: nothing is written.
  std::this_thread::sleep_for(300ms);
  CHECK_FALSE(fx.data_of("default"));

  fx.lead();
  for (const auto* ns : {"default", "kube-system", "istio-system"})
    CHECK(test::eventually([&] { return fx.holds(ns, roots1); }));
  CHECK((*fx.data_of("default"))["label istio.io/config"] == "true");
  CHECK_FALSE(fx.data_of("kube-public"));
  CHECK_FALSE(fx.data_of("kube-node-lease"));

  // A new namespace gets one at once.
  fx.create_namespace("shop");
  CHECK(test::eventually([&] { return fx.holds("shop", roots1); }));

  // A deleted one comes back.
  test::must_remove(fx.sim.cluster(), "configmaps", "shop", "istio-ca-root-cert");
  CHECK(test::eventually([&] { return fx.holds("shop", roots1); }));

  // Someone else's roots are replaced; their other keys stay.
  auto& store = fx.sim.cluster().data();
  const auto& cms = *sim::find_resource("", "v1", "configmaps");
  REQUIRE(!store
               .update(cms, "default", "istio-ca-root-cert",
                       *sim::parse_json(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{)"
                                        R"("name":"istio-ca-root-cert","namespace":"default"},)"
                                        R"("data":{"root-cert.pem":"stale","extra":"kept"}})",
                                        nullptr))
               .error);
  CHECK(test::eventually([&] { return fx.holds("default", roots1); }));
  CHECK((*fx.data_of("default"))["extra"] == "kept");

  // A rotation rewrites every namespace's.
  caf::anon_send(fx.publisher, messages::ca_roots{roots2});
  for (const auto* ns : {"default", "kube-system", "istio-system", "shop"})
    CHECK(test::eventually([&] { return fx.holds(ns, roots2); }));
  CHECK((*fx.data_of("default"))["extra"] == "kept");

  // No longer leading: a deleted one stays deleted.
  fx.lead(false);
  std::this_thread::sleep_for(200ms);
  test::must_remove(fx.sim.cluster(), "configmaps", "shop", "istio-ca-root-cert");
  std::this_thread::sleep_for(500ms);
  CHECK_FALSE(fx.data_of("shop"));
  // Leading again: put back.
  fx.lead();
  CHECK(test::eventually([&] { return fx.holds("shop", roots2); }));
}

TEST_CASE("the root cert publisher writes only namespaces its discovery selectors admit",
          "[actors][integration]") {
  auto selector = mesh::label_selector::make({{"mesh", "yes"}}, {}, "discoverySelectors[0]");
  REQUIRE(std::holds_alternative<mesh::label_selector>(selector));
  std::vector<mesh::label_selector> selectors{std::get<mesh::label_selector>(selector)};
  publisher_fixture fx{std::move(selectors)};
  fx.create_namespace("in", {{"mesh", "yes"}});
  fx.create_namespace("out");
  fx.lead();
  CHECK(test::eventually([&] { return fx.holds("in", roots1); }));
  CHECK_FALSE(fx.data_of("out"));
  CHECK_FALSE(fx.data_of("default"));

  // Labelled into the mesh later: written then.
  auto& store = fx.sim.cluster().data();
  const auto& namespaces = *sim::find_resource("", "v1", "namespaces");
  REQUIRE(!store
               .update(namespaces, "", "out",
                       *sim::parse_json(sim::make_namespace_json("out", {{"mesh", "yes"}},
                                                                 std::chrono::system_clock::now()),
                                        nullptr))
               .error);
  CHECK(test::eventually([&] { return fx.holds("out", roots1); }));
}

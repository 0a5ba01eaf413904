#include <catch2/catch.hpp>

#include "base/openssl_util.hpp"
#include "ca/ca_keeper_core.hpp"
#include "ca/ca_secret.hpp"
#include "ca/root_ca.hpp"
#include "unit/ca/openssl_cli.hpp"

using namespace ambient;
using ambient::ca_test::take;
using ambient::ca_test::temp_dir;
using std::chrono::hours;

namespace {

using time_point = std::chrono::system_clock::time_point;

/// A self-signed root's istio-ca-secret data, made at `now`.
std::map<std::string, std::string> root_data(time_point now, hours ttl = hours{24 * 3650}) {
  return ca::to_secret_data(
      take(ca::generate_root({"cluster.local", ca::key_kind::ec_p256, ttl}, now)));
}

/// A keeper seeded with `data`, issuing listener certificates for istiod.istio-system.svc that
/// live `ttl`.
ca::ca_keeper_core keeper(const std::map<std::string, std::string>& data, time_point now,
                          hours ttl = hours{24 * 365}) {
  auto bundle
      = std::make_shared<const ca::signing_bundle>(take(ca::load_signing_bundle(data, now)));
  ca::ca_keeper_core::serving_params params{{"istiod.istio-system.svc"}, ttl};
  return {data, bundle, params, take(ca::issue_listener_cert(*bundle, params, now))};
}

/// Whether `chain_pem`'s first certificate verifies against `roots_pem` (the real openssl).
bool verifies(const std::string& chain_pem, const std::string& roots_pem) {
  temp_dir dir;
  dir.write("leaf.pem", chain_pem);
  dir.write("roots.pem", roots_pem);
  return ca_test::run("openssl verify -CAfile " + dir.file("roots.pem") + " "
                      + dir.file("leaf.pem"))
             .exit_code
         == 0;
}

} // namespace

TEST_CASE("the keeper does nothing while the material is unchanged", "[ca]") {
  auto now = std::chrono::system_clock::now();
  auto data = root_data(now);
  auto k = keeper(data, now);
  auto before = k.bundle();
  auto step = k.on_material(data, now + hours{1});
  CHECK_FALSE(step.install);
  CHECK_FALSE(step.serving);
  CHECK_FALSE(step.listener_roots);
  CHECK(step.refused.empty());
  CHECK(k.bundle() == before);
  // A Secret's empty values (key.pem and cert-chain.pem of a root) are no change either.
  auto without = data;
  std::erase_if(without, [](const auto& kv) { return kv.second.empty(); });
  REQUIRE(without.size() < data.size());
  CHECK_FALSE(k.on_material(without, now).install);
}

TEST_CASE("a second root added to root-cert.pem is trusted without a new listener certificate",
          "[ca]") {
  auto now = std::chrono::system_clock::now();
  auto data = root_data(now);
  auto k = keeper(data, now);
  auto next = root_data(now);
  auto overlap = data;
  overlap["root-cert.pem"] = data["ca-cert.pem"] + next["ca-cert.pem"];
  auto step = k.on_material(overlap, now);
  REQUIRE(step.install);
  CHECK(step.install->roots.size() == 2);
  REQUIRE(step.listener_roots);
  CHECK(*step.listener_roots == overlap["root-cert.pem"]);
  CHECK_FALSE(step.serving); // the same key still signs: the listener's certificate stays valid
  CHECK(k.bundle() == step.install);
}

TEST_CASE("a new signing certificate gets the listener a certificate from it", "[ca]") {
  auto now = std::chrono::system_clock::now();
  auto old_data = root_data(now);
  auto k = keeper(old_data, now);
  auto new_data = root_data(now);
  new_data["root-cert.pem"] = old_data["ca-cert.pem"] + new_data["ca-cert.pem"];
  auto step = k.on_material(new_data, now);
  REQUIRE(step.install);
  REQUIRE(step.serving);
  REQUIRE(step.listener_roots);
  CHECK(verifies(step.serving->cert.cert_chain_pem, new_data["ca-cert.pem"]));
  CHECK_FALSE(verifies(step.serving->cert.cert_chain_pem, old_data["ca-cert.pem"]));
}

TEST_CASE("material that does not load is refused and the bundle in use is kept", "[ca]") {
  auto now = std::chrono::system_clock::now();
  auto data = root_data(now);
  auto k = keeper(data, now);
  auto before = k.bundle();
  auto other = root_data(now);
  SECTION("a key of another certificate") {
    auto broken = data;
    broken["ca-key.pem"] = other["ca-key.pem"];
    auto step = k.on_material(broken, now);
    CHECK_FALSE(step.install);
    CHECK_FALSE(step.serving);
    CHECK_THAT(step.refused, Catch::Contains("still signing with the previous"));
  }
  SECTION("a signing certificate that chains to none of the roots") {
    auto broken = other;
    broken["root-cert.pem"] = data["ca-cert.pem"];
    CHECK_FALSE(k.on_material(broken, now).refused.empty());
  }
  SECTION("an empty directory") {
    CHECK_FALSE(k.on_material({}, now).refused.empty());
  }
  CHECK(k.bundle() == before);
  // The same good material later is still no change.
  CHECK_FALSE(k.on_material(data, now).install);
}

TEST_CASE("the listener certificate is renewed once half of its life has passed", "[ca]") {
  auto now = std::chrono::system_clock::now();
  auto k = keeper(root_data(now), now, hours{24});
  REQUIRE(k.renew_at());
  // notBefore is two minutes before `now` (clock skew grace): half life is just under 12 hours.
  CHECK(*k.renew_at() > now + hours{11});
  CHECK(*k.renew_at() < now + hours{12});
  CHECK_FALSE(k.on_tick(now + hours{11}).serving);
  auto step = k.on_tick(now + hours{12});
  REQUIRE(step.serving);
  CHECK(step.serving->not_after > now + hours{35});
  CHECK(*k.renew_at() > now + hours{23});
  CHECK_FALSE(k.on_tick(now + hours{13}).serving);
}

TEST_CASE("a renewal the CA cannot sign says why and is tried again", "[ca]") {
  auto now = std::chrono::system_clock::now();
  auto k = keeper(root_data(now, hours{10}), now, hours{24});
  // The listener certificate is capped at the root's life (10 h): renewal is due after ~5 h.
  auto step = k.on_tick(now + hours{11});
  CHECK_FALSE(step.serving);
  CHECK_THAT(step.renewal_error, Catch::Contains("expired"));
  CHECK_FALSE(k.on_tick(now + hours{12}).renewal_error.empty());
}

TEST_CASE("a keeper without a listener certificate of its own never renews one", "[ca]") {
  auto now = std::chrono::system_clock::now();
  auto data = root_data(now);
  auto bundle
      = std::make_shared<const ca::signing_bundle>(take(ca::load_signing_bundle(data, now)));
  ca::ca_keeper_core k{data, bundle, {{"istiod.istio-system.svc"}, hours{24}}, std::nullopt};
  CHECK_FALSE(k.renew_at());
  CHECK_FALSE(k.on_tick(now + hours{24 * 400}).serving);
  auto step = k.on_material(root_data(now), now);
  CHECK(step.install);
  CHECK_FALSE(step.serving);
}

#pragma once

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "sim/json.hpp"
#include "support/https_client.hpp"

/// Service accounts, pods and bound tokens on a kube-sim cluster, as a test sets them up over its
/// API (ztunnel's token comes from a TokenRequest bound to its pod).
namespace ambient::test {

/// Creates ServiceAccount `ns/name` through `base` (the cluster's URL).
inline void create_service_account(https_client& cl, const std::string& base, const std::string& ns,
                                   const std::string& name) {
  auto r = cl.request("POST", base + "/api/v1/namespaces/" + ns + "/serviceaccounts",
                      R"({"metadata":{"name":")" + name + R"("}})");
  REQUIRE(r.status == 201);
}

/// Creates pod `ns/name` running as `service_account` on `node`; returns its UID.
inline std::string create_pod_as(https_client& cl, const std::string& base, const std::string& ns,
                                 const std::string& name, const std::string& service_account,
                                 const std::string& node) {
  auto r = cl.request("POST", base + "/api/v1/namespaces/" + ns + "/pods",
                      R"({"metadata":{"name":")" + name + R"("},"spec":{"serviceAccountName":")"
                          + service_account + R"(","nodeName":")" + node
                          + R"(","containers":[{"name":"c","image":"app"}]}})");
  REQUIRE(r.status == 201);
  return sim::parse_json(r.body, nullptr)->at("metadata").at("uid").get<std::string>();
}

/// A TokenRequest for `ns/service_account` bound to pod `pod`, for `audiences`.
inline std::string bound_token(https_client& cl, const std::string& base, const std::string& ns,
                               const std::string& service_account, const std::string& pod,
                               const std::vector<std::string>& audiences = {"istio-ca"}) {
  std::string aud;
  for (const auto& a : audiences)
    aud += (aud.empty() ? "" : ",") + sim::dump_json(a);
  auto r = cl.request(
      "POST", base + "/api/v1/namespaces/" + ns + "/serviceaccounts/" + service_account + "/token",
      R"({"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","spec":{)"
      R"("audiences":[)"
          + aud + R"(],"boundObjectRef":{"kind":"Pod","apiVersion":"v1","name":")" + pod
          + R"("}}})");
  REQUIRE(r.status == 201);
  return sim::parse_json(r.body, nullptr)->at("status").at("token").get<std::string>();
}

} // namespace ambient::test

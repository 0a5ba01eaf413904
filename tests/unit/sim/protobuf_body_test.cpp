#include <catch2/catch.hpp>

#include "sim/protobuf_body.hpp"

using namespace ambient::sim;

namespace {

std::string varint(uint64_t v) {
  std::string out;
  do {
    auto b = static_cast<char>(v & 0x7f);
    v >>= 7;
    out += static_cast<char>(b | (v ? 0x80 : 0));
  } while (v);
  return out;
}

std::string field(uint32_t n, const std::string& bytes) {
  return varint((n << 3) | 2) + varint(bytes.size()) + bytes;
}

std::string entry(const std::string& k, const std::string& v) {
  return field(1, k) + field(2, v);
}

std::string envelope(const std::string& kind, const std::string& raw,
                     const std::string& api_version = "v1") {
  auto type_meta = field(1, api_version) + field(2, kind);
  return std::string{"k8s\0", 4} + field(1, type_meta) + field(2, raw);
}

} // namespace

TEST_CASE("a protobuf Secret decodes to its JSON form", "[sim]") {
  auto meta = field(1, "remote") + field(3, "istio-system")
              + field(11, entry("istio/multiCluster", "true")) + field(2, "");
  auto secret = field(1, meta) + field(2, entry("cluster-2", "kubeconfig\x01")) + field(3, "");
  std::string err;
  auto v = decode_kubernetes_protobuf(envelope("Secret", secret), &err);
  INFO(err);
  REQUIRE(v);
  CHECK(find_path(*v, {"kind"})->get<std::string>() == "Secret");
  CHECK(find_path(*v, {"metadata", "name"})->get<std::string>() == "remote");
  CHECK(find_path(*v, {"metadata", "labels", "istio/multiCluster"})->get<std::string>() == "true");
  CHECK(find_path(*v, {"metadata", "generateName"}) == nullptr);
  CHECK(find_path(*v, {"data", "cluster-2"})->get<std::string>() == "a3ViZWNvbmZpZwE=");
  CHECK(find_path(*v, {"type"})->get<std::string>() == "Opaque");
}

TEST_CASE("a protobuf ConfigMap and Namespace decode", "[sim]") {
  auto cm = decode_kubernetes_protobuf(
      envelope("ConfigMap", field(1, field(1, "c")) + field(2, entry("a", "b"))), nullptr);
  REQUIRE(cm);
  CHECK(find_path(*cm, {"data", "a"})->get<std::string>() == "b");
  auto ns = decode_kubernetes_protobuf(envelope("Namespace", field(1, field(1, "n"))), nullptr);
  REQUIRE(ns);
  CHECK(find_path(*ns, {"metadata", "name"})->get<std::string>() == "n");
}

TEST_CASE("malformed or unsupported protobuf bodies are refused with a reason", "[sim]") {
  std::string err;
  CHECK(!decode_kubernetes_protobuf("not protobuf", &err));
  CHECK(err.find("envelope prefix") != std::string::npos);
  CHECK(!decode_kubernetes_protobuf(std::string{"k8s\0\x0a\xff", 6}, &err));
  CHECK(err.find("malformed") != std::string::npos);
  CHECK(!decode_kubernetes_protobuf(envelope("Pod", field(1, field(1, "p"))), &err));
  CHECK(err.find("not v1 Pod") != std::string::npos);
  auto truncated = envelope("Secret", field(1, field(1, "s"))).substr(0, 20);
  CHECK(!decode_kubernetes_protobuf(truncated, &err));
}

TEST_CASE("a protobuf TokenRequest decodes to its JSON spec as kubectl create token sends it",
          "[sim][tokens]") {
  auto ref = field(1, "Pod") + field(2, "v1") + field(3, "echo-1") + field(4, "u-1");
  auto spec = field(1, "istio-ca") + field(1, "x") + field(3, ref) + varint(4 << 3) + varint(1200);
  auto body = field(1, field(1, "ignored")) + field(2, spec);
  std::string err;
  auto v = decode_kubernetes_protobuf(envelope("TokenRequest", body, "authentication.k8s.io/v1"),
                                      &err);
  INFO(err);
  REQUIRE(v);
  CHECK(dump_json((*v)["spec"])
        == R"({"audiences":["istio-ca","x"],"boundObjectRef":{"kind":"Pod","apiVersion":"v1",)"
           R"("name":"echo-1","uid":"u-1"},"expirationSeconds":1200})");
}

TEST_CASE("a protobuf TokenReview decodes its token and audiences", "[sim][tokens]") {
  auto body = field(2, field(1, "a.b.c") + field(2, "istio-ca"));
  std::string err;
  auto v
      = decode_kubernetes_protobuf(envelope("TokenReview", body, "authentication.k8s.io/v1"), &err);
  INFO(err);
  REQUIRE(v);
  CHECK(dump_json((*v)["spec"]) == R"({"token":"a.b.c","audiences":["istio-ca"]})");
  CHECK_FALSE(decode_kubernetes_protobuf(envelope("TokenReview", body, "v1"), &err));
  CHECK(err.find("TokenReview") != std::string::npos);
}

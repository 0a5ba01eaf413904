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

std::string envelope(const std::string& kind, const std::string& raw) {
  auto type_meta = field(1, "v1") + field(2, kind);
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

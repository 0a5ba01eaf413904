// Fuzzes the decoders of security.istio.io/v1 objects as the API server sends them: the same bytes
// through kube::decode_as<authorization_policy> and decode_as<peer_authentication>. A refusal names
// its kind and says why; what decodes has a name, valid modes and ports 1 to 65535, and decodes the
// same again. Input: the object JSON.
#include <string>
#include <string_view>
#include <variant>

#include "kube/decode.hpp"

using namespace ambient;

namespace {

/// Traps unless a refusal starts with `kind` and says more.
template <class T>
const T* check_refusal(const kube::decoded<T>& d, std::string_view kind) {
  if (const auto* e = std::get_if<kube::decode_error>(&d)) {
    if (e->message.size() <= kind.size() || e->message.compare(0, kind.size(), kind) != 0)
      __builtin_trap();
    return nullptr;
  }
  return &std::get<T>(d);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text{reinterpret_cast<const char*>(data), size};
  auto policy = kube::decode_as<kube::authorization_policy>(text);
  if (const auto* p = check_refusal(policy, "AuthorizationPolicy")) {
    if (p->meta.name.empty())
      __builtin_trap(); // metadata.name is required
    auto again = kube::decode_as<kube::authorization_policy>(text);
    const auto* q = std::get_if<kube::authorization_policy>(&again);
    if (q == nullptr || *q != *p)
      __builtin_trap(); // decoding depends on nothing but the input
  }
  auto peer = kube::decode_as<kube::peer_authentication>(text);
  if (const auto* pa = check_refusal(peer, "PeerAuthentication")) {
    if (pa->meta.name.empty() || pa->mode > kube::mtls_mode::strict)
      __builtin_trap();
    for (const auto& [port, mode] : pa->port_level_mtls)
      if (port < 1 || port > 65535 || mode > kube::mtls_mode::strict)
        __builtin_trap();
    auto again = kube::decode_as<kube::peer_authentication>(text);
    const auto* q = std::get_if<kube::peer_authentication>(&again);
    if (q == nullptr || *q != *pa)
      __builtin_trap();
  }
  return 0;
}

// Fuzzes the handling of a remote secret as the API server sends it: the Secret JSON
// (kube::decode_as<secret>, base64 data), its cluster entries (fleet::read_remote_secret), and each
// entry's kubeconfig through parse_kubeconfig with the default policy. Input: the Secret JSON.
#include <string>

#include "base/base64.hpp"
#include "fleet/cluster_registry.hpp"
#include "kube/decode.hpp"
#include "kube/kubeconfig.hpp"

using namespace ambient;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text{reinterpret_cast<const char*>(data), size};
  (void)base::decode_base64(text);
  auto decoded = kube::decode_as<kube::secret>(text);
  auto* s = std::get_if<kube::secret>(&decoded);
  if (s == nullptr)
    return 0;
  for (const auto& entry : fleet::read_remote_secret(*s)) {
    if (entry.sha256.size() != 64)
      __builtin_trap(); // every entry carries its kubeconfig's SHA-256
    auto parsed = kube::parse_kubeconfig(entry.kubeconfig, entry.cluster_id, {});
    if (auto* err = std::get_if<kube::kubeconfig_error>(&parsed); err && err->message.empty())
      __builtin_trap();
  }
  return 0;
}

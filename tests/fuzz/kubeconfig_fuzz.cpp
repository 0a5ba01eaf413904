// Fuzzes kubeconfig parsing and sanitising (kube::parse_kubeconfig) and the
// --insecure-kubeconfig-options parser. Input: one byte of allowed options (a bit per option),
// then the kubeconfig YAML.
#include <string>

#include "kube/kubeconfig.hpp"
#include "tests/fuzz/fuzz_input.hpp"

using namespace ambient;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::input in{data, size};
  kube::kubeconfig_policy policy;
  auto bits = in.byte();
  for (auto opt : {kube::kubeconfig_option::exec, kube::kubeconfig_option::auth_provider,
                   kube::kubeconfig_option::token_file, kube::kubeconfig_option::client_key_file,
                   kube::kubeconfig_option::client_cert_file, kube::kubeconfig_option::ca_file}) {
    if (bits & 1)
      policy.allowed.insert(opt);
    bits >>= 1;
  }
  auto parsed = kube::parse_kubeconfig(in.rest(), "fuzz", policy);
  if (auto* err = std::get_if<kube::kubeconfig_error>(&parsed); err && err->message.empty())
    __builtin_trap(); // a refusal always says why
  // The flag parser takes the same bytes as a comma-separated list.
  auto flag = kube::parse_kubeconfig_policy(in.rest());
  if (auto* err = std::get_if<kube::kubeconfig_error>(&flag); err && err->message.empty())
    __builtin_trap();
  return 0;
}

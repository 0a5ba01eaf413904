// Fuzzes the CA's handling of an untrusted CSR (ca::check_csr) and, when the CSR passes, signing
// it (ca::issue, ca::chain_response). Input: one byte of flags (bit 0: refuse foreign SANs; bits
// 1-2: which TTL), then the CSR text.
#include <chrono>
#include <string>

#include "ca/csr_check.hpp"
#include "ca/issuer.hpp"
#include "ca/root_ca.hpp"
#include "ca/ttl_policy.hpp"
#include "tests/fuzz/fuzz_input.hpp"

using namespace ambient;

namespace {

const auto fixed_now = std::chrono::system_clock::from_time_t(1'800'000'000);

/// One EC root for every run (generating one per input would dominate the time).
const ca::signing_bundle& fuzz_root() {
  static const ca::signing_bundle root = [] {
    auto r = ca::generate_root(
        {"cluster.local", ca::key_kind::ec_p256, std::chrono::hours{24 * 30}}, fixed_now);
    if (!std::holds_alternative<ca::signing_bundle>(r))
      __builtin_trap();
    return std::get<ca::signing_bundle>(std::move(r));
  }();
  return root;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::input in{data, size};
  auto flags = in.byte();
  auto checked = ca::check_csr(in.rest());
  if (auto* err = std::get_if<ca::error>(&checked)) {
    if (err->message.empty())
      __builtin_trap(); // a refusal always says why
    return 0;
  }
  const auto& csr = std::get<ca::csr_info>(checked);
  static constexpr std::chrono::seconds ttls[]
      = {std::chrono::seconds{0}, std::chrono::seconds{3600}, std::chrono::hours{24 * 91},
         std::chrono::hours{24 * 60}};
  const auto& root = fuzz_root();
  auto ttl = ca::effective_ttl({}, ttls[(flags >> 1) & 3], fixed_now + std::chrono::hours{24 * 30},
                               fixed_now);
  if (auto* err = std::get_if<ca::error>(&ttl)) {
    if (err->message.empty())
      __builtin_trap();
    return 0;
  }
  ca::leaf_request req{"spiffe://cluster.local/ns/a/sa/b", std::get<std::chrono::seconds>(ttl),
                       fixed_now, (flags & 1) != 0};
  auto leaf = ca::issue(root, csr, req);
  if (auto* err = std::get_if<ca::error>(&leaf)) {
    if (err->message.empty() || err->code == ca::errc::internal)
      __builtin_trap(); // a CSR that passed the checks must be signable
    return 0;
  }
  auto chain = ca::chain_response(root, std::get<std::string>(leaf));
  if (chain.size() != 2)
    __builtin_trap();
  return 0;
}

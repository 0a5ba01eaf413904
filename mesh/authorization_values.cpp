#include "mesh/authorization_values.hpp"

#include <algorithm>

#include "mesh/context.hpp"

namespace ambient::mesh {

namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// A decimal number up to `max`, as Go's strconv.ParseUint in base 10 reads it; nullopt otherwise.
std::optional<uint32_t> parse_decimal(std::string_view s, uint32_t max) {
  if (!all_digits(s))
    return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    v = v * 10 + static_cast<uint64_t>(c - '0');
    if (v > max)
      return std::nullopt;
  }
  return static_cast<uint32_t>(v);
}

} // namespace

istio::security::StringMatch string_match(std::string_view value) {
  istio::security::StringMatch m;
  if (value == "*")
    m.mutable_presence();
  else if (value.starts_with('*'))
    m.set_suffix(std::string{value.substr(1)});
  else if (value.ends_with('*'))
    m.set_prefix(std::string{value.substr(0, value.size() - 1)});
  else
    m.set_exact(std::string{value});
  return m;
}

std::vector<uint32_t> parse_ports(const std::vector<std::string>& values) {
  std::vector<uint32_t> out;
  for (const auto& v : values)
    if (auto p = parse_decimal(v, 65535))
      out.push_back(*p);
  return out;
}

std::optional<istio::security::Address> parse_address(std::string_view value) {
  istio::security::Address a;
  if (auto slash = value.rfind('/'); slash != std::string_view::npos) {
    // netip.ParsePrefix: no zone, and a prefix length without sign or leading zero.
    auto addr = value.substr(0, slash);
    auto bits_text = value.substr(slash + 1);
    if (addr.find('%') != std::string_view::npos)
      return std::nullopt;
    if (bits_text.size() > 1 && bits_text.front() == '0')
      return std::nullopt;
    auto bytes = ip_bytes(addr);
    if (!bytes)
      return std::nullopt;
    auto bits = parse_decimal(bits_text, static_cast<uint32_t>(bytes->size() * 8));
    if (!bits)
      return std::nullopt;
    a.set_address(std::move(*bytes));
    a.set_length(*bits);
    return a;
  }
  // netip.ParseAddr: an IPv6 address may carry a non-empty zone, which the bytes leave out.
  auto addr = value;
  if (auto pct = value.find('%'); pct != std::string_view::npos) {
    if (pct + 1 == value.size())
      return std::nullopt;
    addr = value.substr(0, pct);
    if (addr.find(':') == std::string_view::npos)
      return std::nullopt;
  }
  auto bytes = ip_bytes(addr);
  if (!bytes)
    return std::nullopt;
  a.set_length(static_cast<uint32_t>(bytes->size() * 8));
  a.set_address(std::move(*bytes));
  return a;
}

istio::security::ServiceAccountMatch service_account_match(std::string_view value,
                                                           std::string_view policy_namespace) {
  istio::security::ServiceAccountMatch m;
  if (auto slash = value.find('/'); slash != std::string_view::npos) {
    m.set_namespace_(std::string{value.substr(0, slash)});
    m.set_serviceaccount(std::string{value.substr(slash + 1)});
  } else {
    m.set_namespace_(std::string{policy_namespace});
    m.set_serviceaccount(std::string{value});
  }
  return m;
}

void add_string_matches(const std::vector<std::string>& values,
                        google::protobuf::RepeatedPtrField<istio::security::StringMatch>& out) {
  for (const auto& v : values)
    *out.Add() = string_match(v);
}

void add_addresses(const std::vector<std::string>& values,
                   google::protobuf::RepeatedPtrField<istio::security::Address>& out) {
  for (const auto& v : values)
    if (auto a = parse_address(v))
      *out.Add() = std::move(*a);
}

void add_ports(const std::vector<std::string>& values,
               google::protobuf::RepeatedField<uint32_t>& out) {
  for (auto p : parse_ports(values))
    out.Add(p);
}

void add_service_accounts(
    const std::vector<std::string>& values, std::string_view policy_namespace,
    google::protobuf::RepeatedPtrField<istio::security::ServiceAccountMatch>& out) {
  for (const auto& v : values)
    *out.Add() = service_account_match(v, policy_namespace);
}

} // namespace ambient::mesh

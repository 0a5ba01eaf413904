#include "kube/base64.hpp"

#include <cstdint>

namespace ambient::kube {

std::optional<std::string> decode_base64(std::string_view in) {
  std::string out;
  out.reserve(in.size() / 4 * 3 + 3);
  uint32_t acc = 0;
  int bits = 0;
  size_t digits = 0;
  size_t pad = 0;
  for (char c : in) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v')
      continue;
    if (c == '=') {
      ++pad;
      continue;
    }
    uint32_t v;
    if (c >= 'A' && c <= 'Z')
      v = static_cast<uint32_t>(c - 'A');
    else if (c >= 'a' && c <= 'z')
      v = static_cast<uint32_t>(c - 'a' + 26);
    else if (c >= '0' && c <= '9')
      v = static_cast<uint32_t>(c - '0' + 52);
    else if (c == '+')
      v = 62;
    else if (c == '/')
      v = 63;
    else
      return std::nullopt;
    if (pad > 0)
      return std::nullopt; // data after padding
    acc = ((acc << 6) | v) & 0xffffu;
    bits += 6;
    ++digits;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xffu));
    }
  }
  if (digits % 4 == 1 || pad > 2 || (pad > 0 && (digits + pad) % 4 != 0))
    return std::nullopt;
  return out;
}

} // namespace ambient::kube

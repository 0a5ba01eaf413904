#include "base/base64.hpp"

#include <cstdint>

namespace ambient::base {

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/// The 6-bit value of a digit of the alphabet whose last two digits are `d62` and `d63`; -1 for
/// anything else.
int digit_value(char c, char d62, char d63) {
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == d62)
    return 62;
  if (c == d63)
    return 63;
  return -1;
}

/// The one decoder behind both alphabets.
std::optional<std::string> decode(std::string_view in, char d62, char d63, bool skip_space) {
  std::string out;
  out.reserve(in.size() / 4 * 3 + 3);
  uint32_t acc = 0;
  int bits = 0;
  size_t digits = 0;
  size_t pad = 0;
  for (char c : in) {
    if (skip_space && is_space(c))
      continue;
    if (c == '=') {
      ++pad;
      continue;
    }
    int v = digit_value(c, d62, d63);
    if (v < 0)
      return std::nullopt;
    if (pad > 0)
      return std::nullopt; // data after padding
    acc = ((acc << 6) | static_cast<uint32_t>(v)) & 0xffffu;
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

} // namespace

std::optional<std::string> decode_base64(std::string_view in) {
  return decode(in, '+', '/', true);
}

std::optional<std::string> decode_base64url(std::string_view in, bool allow_padding) {
  if (!allow_padding && in.find('=') != std::string_view::npos)
    return std::nullopt;
  return decode(in, '-', '_', false);
}

namespace {

/// Base64 of `in` in the alphabet `digits`, padded with '=' when `pad`.
std::string encode(std::string_view in, const char* digits, bool pad) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  for (size_t i = 0; i < in.size(); i += 3) {
    uint32_t n = static_cast<uint32_t>(static_cast<unsigned char>(in[i])) << 16;
    if (i + 1 < in.size())
      n |= static_cast<uint32_t>(static_cast<unsigned char>(in[i + 1])) << 8;
    if (i + 2 < in.size())
      n |= static_cast<unsigned char>(in[i + 2]);
    out += digits[(n >> 18) & 63];
    out += digits[(n >> 12) & 63];
    if (i + 1 < in.size())
      out += digits[(n >> 6) & 63];
    else if (pad)
      out += '=';
    if (i + 2 < in.size())
      out += digits[n & 63];
    else if (pad)
      out += '=';
  }
  return out;
}

} // namespace

std::string encode_base64(std::string_view in) {
  return encode(in, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", true);
}

std::string encode_base64url(std::string_view in) {
  return encode(in, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", false);
}

} // namespace ambient::base

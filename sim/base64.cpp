#include "sim/base64.hpp"

namespace ambient::sim {

namespace {

constexpr std::string_view base64_alphabet
    = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// The 6-bit value of a base64 digit, or -1.
int base64_value(char c) {
  auto at = base64_alphabet.find(c);
  return at == std::string_view::npos ? -1 : static_cast<int>(at);
}

bool is_space(char c) {
  return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == '\v';
}

} // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  auto byte = [&](size_t k) {
    return static_cast<unsigned>(static_cast<unsigned char>(bytes[k]));
  };
  for (; i + 3 <= bytes.size(); i += 3) {
    unsigned v = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    out += base64_alphabet[(v >> 18) & 63];
    out += base64_alphabet[(v >> 12) & 63];
    out += base64_alphabet[(v >> 6) & 63];
    out += base64_alphabet[v & 63];
  }
  if (auto rest = bytes.size() - i; rest == 1) {
    unsigned v = byte(i) << 16;
    out += base64_alphabet[(v >> 18) & 63];
    out += base64_alphabet[(v >> 12) & 63];
    out += "==";
  } else if (rest == 2) {
    unsigned v = (byte(i) << 16) | (byte(i + 1) << 8);
    out += base64_alphabet[(v >> 18) & 63];
    out += base64_alphabet[(v >> 12) & 63];
    out += base64_alphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size() / 4 * 3 + 3);
  unsigned acc = 0;
  size_t digits = 0;  // base64 digits seen
  size_t padding = 0; // '=' seen; only whitespace and more '=' may follow the first
  for (char c : text) {
    if (is_space(c))
      continue;
    if (c == '=') {
      ++padding;
      continue;
    }
    int v = base64_value(c);
    if (v < 0 || padding > 0)
      return std::nullopt;
    acc = (acc << 6) | static_cast<unsigned>(v);
    if (++digits % 4 == 0) {
      out += static_cast<char>((acc >> 16) & 0xff);
      out += static_cast<char>((acc >> 8) & 0xff);
      out += static_cast<char>(acc & 0xff);
      acc = 0;
    }
  }
  switch (digits % 4) {
    case 0:
      if (padding != 0)
        return std::nullopt;
      break;
    case 1:
      return std::nullopt; // one digit carries only 6 bits: never a whole byte
    case 2:
      if (padding != 0 && padding != 2)
        return std::nullopt;
      out += static_cast<char>((acc >> 4) & 0xff);
      break;
    case 3:
      if (padding != 0 && padding != 1)
        return std::nullopt;
      out += static_cast<char>((acc >> 10) & 0xff);
      out += static_cast<char>((acc >> 2) & 0xff);
      break;
  }
  return out;
}

std::string base64url_encode(std::string_view bytes) {
  auto out = base64_encode(bytes);
  while (!out.empty() && out.back() == '=')
    out.pop_back();
  for (char& c : out)
    c = c == '+' ? '-' : c == '/' ? '_' : c;
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  std::string standard{text};
  for (char& c : standard) {
    if (c == '+' || c == '/' || c == '=' || is_space(c))
      return std::nullopt;
    c = c == '-' ? '+' : c == '_' ? '/' : c;
  }
  return base64_decode(standard);
}

} // namespace ambient::sim

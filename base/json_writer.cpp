#include "base/json_writer.hpp"

#include <cassert>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace ambient::base {

namespace {

/// Appends `in` to `out`, escaped for the inside of a JSON string literal.
void append_escaped(std::string& out, std::string_view in) {
  for (unsigned char c : in) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
}

} // namespace

std::string json_escape(std::string_view in) {
  std::string out;
  out.reserve(in.size() + 8);
  append_escaped(out, in);
  return out;
}

std::string json_string(std::string_view in) {
  std::string out;
  out.reserve(in.size() + 2);
  out += '"';
  append_escaped(out, in);
  out += '"';
  return out;
}

void json_writer::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  assert(empty_.empty() || !is_object_.back()); // inside an object a value needs its key first
  if (!empty_.empty()) {
    if (!empty_.back())
      out_ += ',';
    empty_.back() = false;
  }
}

json_writer& json_writer::open(char bracket, bool object) {
  before_value();
  out_ += bracket;
  empty_.push_back(true);
  is_object_.push_back(object);
  return *this;
}

json_writer& json_writer::close(char bracket, [[maybe_unused]] bool object) {
  assert(!is_object_.empty() && is_object_.back() == object && !after_key_);
  empty_.pop_back();
  is_object_.pop_back();
  out_ += bracket;
  return *this;
}

json_writer& json_writer::key(std::string_view name) {
  assert(!is_object_.empty() && is_object_.back() && !after_key_);
  if (!empty_.back())
    out_ += ',';
  empty_.back() = false;
  out_ += '"';
  append_escaped(out_, name);
  out_ += "\":";
  after_key_ = true;
  return *this;
}

json_writer& json_writer::value(std::string_view s) {
  before_value();
  out_ += '"';
  append_escaped(out_, s);
  out_ += '"';
  return *this;
}

json_writer& json_writer::value(std::nullptr_t) {
  before_value();
  out_ += "null";
  return *this;
}

json_writer& json_writer::value(bool b) {
  before_value();
  out_ += b ? "true" : "false";
  return *this;
}

json_writer& json_writer::value(int64_t n) {
  before_value();
  out_ += std::to_string(n);
  return *this;
}

json_writer& json_writer::value(uint64_t n) {
  before_value();
  out_ += std::to_string(n);
  return *this;
}

json_writer& json_writer::value(double d) {
  before_value();
  if (!std::isfinite(d)) {
    out_ += "null";
    return *this;
  }
  char buf[32];
  auto res = std::to_chars(buf, buf + sizeof buf, d);
  out_.append(buf, res.ptr);
  return *this;
}

} // namespace ambient::base

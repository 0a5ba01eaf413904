#include "sim/json_writer.hpp"

#include "sim/json.hpp"

namespace ambient::sim {

json_writer& json_writer::begin_object() {
  return open('{');
}

json_writer& json_writer::end_object() {
  return close('}');
}

json_writer& json_writer::begin_array() {
  return open('[');
}

json_writer& json_writer::end_array() {
  return close(']');
}

json_writer& json_writer::key(std::string_view k) {
  comma();
  out_ += dump_json(k);
  out_ += ':';
  after_key_ = true;
  return *this;
}

json_writer& json_writer::value(std::string_view v) {
  value_prefix();
  out_ += dump_json(v);
  return *this;
}

json_writer& json_writer::value(const char* v) {
  return value(std::string_view{v});
}

json_writer& json_writer::value(const std::string& v) {
  return value(std::string_view{v});
}

json_writer& json_writer::value(long long v) {
  value_prefix();
  out_ += std::to_string(v);
  return *this;
}

json_writer& json_writer::value(int v) {
  return value(static_cast<long long>(v));
}

json_writer& json_writer::value(bool v) {
  value_prefix();
  out_ += v ? "true" : "false";
  return *this;
}

json_writer& json_writer::null() {
  value_prefix();
  out_ += "null";
  return *this;
}

json_writer& json_writer::string_map(std::string_view k,
                                     const std::map<std::string, std::string>& m) {
  key(k).begin_object();
  for (const auto& [name, v] : m)
    kv(name, v);
  return end_object();
}

std::string json_writer::take() {
  return std::move(out_);
}

json_writer& json_writer::open(char bracket) {
  value_prefix();
  out_ += bracket;
  first_.push_back(true);
  return *this;
}

json_writer& json_writer::close(char bracket) {
  out_ += bracket;
  first_.pop_back();
  return *this;
}

void json_writer::comma() {
  if (!first_.empty()) {
    if (!first_.back())
      out_ += ',';
    first_.back() = false;
  }
}

void json_writer::value_prefix() {
  if (after_key_)
    after_key_ = false;
  else
    comma();
}

} // namespace ambient::sim

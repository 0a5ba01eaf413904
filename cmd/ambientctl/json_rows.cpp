#include "cmd/ambientctl/json_rows.hpp"

namespace ambient::cmd {

namespace dom = simdjson::dom;

std::string element_reader::text(std::string_view key, bool required) {
  dom::element value;
  if (!lookup(key, required, value))
    return {};
  std::string_view s;
  if (value.get(s) != simdjson::SUCCESS) {
    fail(key, "must be a string");
    return {};
  }
  return std::string{s};
}

std::optional<double> element_reader::number(std::string_view key) {
  dom::element value;
  if (!lookup(key, false, value))
    return std::nullopt;
  double d = 0;
  if (value.get(d) != simdjson::SUCCESS) {
    fail(key, "must be a number");
    return std::nullopt;
  }
  return d;
}

bool element_reader::flag(std::string_view key) {
  dom::element value;
  if (!lookup(key, false, value))
    return false;
  bool b = false;
  if (value.get(b) != simdjson::SUCCESS)
    fail(key, "must be true or false");
  return b;
}

std::vector<std::string> element_reader::strings(std::string_view key) {
  dom::element value;
  if (!lookup(key, false, value))
    return {};
  dom::array items;
  if (value.get(items) != simdjson::SUCCESS) {
    fail(key, "must be an array of strings");
    return {};
  }
  std::vector<std::string> out;
  for (dom::element item : items) {
    std::string_view s;
    if (item.get(s) != simdjson::SUCCESS) {
      fail(key, "must be an array of strings");
      return {};
    }
    out.emplace_back(s);
  }
  return out;
}

std::string element_reader::joined(std::string_view key) {
  std::string out;
  for (const auto& s : strings(key))
    out += (out.empty() ? "" : ",") + s;
  return out;
}

bool element_reader::has(std::string_view key) {
  dom::element value;
  return lookup(key, false, value);
}

std::string element_reader::nested_text(std::string_view object, std::string_view key) {
  dom::element value;
  if (!lookup(object, false, value))
    return {};
  dom::object obj;
  std::string_view s;
  if (value.get(obj) != simdjson::SUCCESS) {
    fail(object, "must be an object");
    return {};
  }
  dom::element inner;
  auto err = obj.at_key(key).get(inner);
  if (err == simdjson::NO_SUCH_FIELD || (!err && inner.is_null()))
    return {};
  if (err || inner.get(s) != simdjson::SUCCESS) {
    fail(object, "must hold a string \"" + std::string{key} + "\"");
    return {};
  }
  return std::string{s};
}

std::string element_reader::gateway_address(std::string_view key) {
  dom::element value;
  if (!lookup(key, false, value))
    return {};
  dom::object obj;
  if (value.get(obj) != simdjson::SUCCESS) {
    fail(key, "must be an object");
    return {};
  }
  std::string_view ns, host, address;
  if (obj.at_key("hostname").get(host) == simdjson::SUCCESS
      && obj.at_key("namespace").get(ns) == simdjson::SUCCESS)
    return std::string{ns} + "/" + std::string{host};
  if (obj.at_key("address").get(address) == simdjson::SUCCESS)
    return std::string{address};
  fail(key, "must hold a hostname and namespace, or an address");
  return {};
}

bool element_reader::lookup(std::string_view key, bool required, dom::element& value) {
  if (error_)
    return false;
  auto err = obj_.at_key(key).get(value);
  if (err == simdjson::NO_SUCH_FIELD || (!err && value.is_null())) {
    if (required)
      fail(key, "is missing");
    return false;
  }
  if (err) {
    fail(key, "cannot be read");
    return false;
  }
  return true;
}

void element_reader::fail(std::string_view key, std::string_view what) {
  if (!error_)
    error_ = "element " + std::to_string(index_) + ": \"" + std::string{key} + "\" "
             + std::string{what};
}

} // namespace ambient::cmd

#include "mesh/label_selector.hpp"

#include <algorithm>

#include "base/spelling.hpp"

namespace ambient::mesh {

namespace {

constexpr base::spelling_table<selector_operator, 4> operator_names{{
    {"In", selector_operator::in},
    {"NotIn", selector_operator::not_in},
    {"Exists", selector_operator::exists},
    {"DoesNotExist", selector_operator::does_not_exist},
}};

constexpr size_t max_name_length = 63;    // a label name or value
constexpr size_t max_prefix_length = 253; // a DNS subdomain

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/// `[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?`, apimachinery's qualified name part.
bool is_name_part(std::string_view s) {
  if (s.empty() || !is_alnum(s.front()) || !is_alnum(s.back()))
    return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return is_alnum(c) || c == '-' || c == '_' || c == '.'; });
}

/// A DNS-1123 subdomain: dot-separated `[a-z0-9]([-a-z0-9]*[a-z0-9])?` labels.
bool is_dns_subdomain(std::string_view s) {
  const auto lower_alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  };
  while (true) {
    auto dot = s.find('.');
    auto label = s.substr(0, dot);
    if (label.empty() || !lower_alnum(label.front()) || !lower_alnum(label.back()))
      return false;
    if (!std::all_of(label.begin(), label.end(),
                     [&](char c) { return lower_alnum(c) || c == '-'; }))
      return false;
    if (dot == std::string_view::npos)
      return true;
    s.remove_prefix(dot + 1);
  }
}

std::string child(std::string_view path, std::string_view field) {
  std::string out{path};
  if (!out.empty())
    out += '.';
  out += field;
  return out;
}

} // namespace

std::optional<selector_operator> parse_selector_operator(std::string_view text) {
  return base::parse_spelling(operator_names, text);
}

std::string_view to_string(selector_operator op) {
  return base::spelling_of(operator_names, op);
}

std::string quoted(std::string_view text) {
  std::string out{"\""};
  for (char c : text.substr(0, 100))
    out.push_back(c >= 0x20 && c <= 0x7e ? c : '?');
  if (text.size() > 100)
    out += "...";
  out += '"';
  return out;
}

std::string label_key_problem(std::string_view key) {
  auto slash = key.find('/');
  std::string_view name = key;
  if (slash != std::string_view::npos) {
    if (key.find('/', slash + 1) != std::string_view::npos)
      return "a qualified name has at most one '/'";
    auto prefix = key.substr(0, slash);
    name = key.substr(slash + 1);
    if (prefix.empty())
      return "prefix part must not be empty";
    if (prefix.size() > max_prefix_length)
      return "prefix part must be no more than 253 characters";
    if (!is_dns_subdomain(prefix))
      return "prefix part must be a lowercase DNS subdomain (e.g. example.com)";
  }
  if (name.empty())
    return "name part must not be empty";
  if (name.size() > max_name_length)
    return "name part must be no more than 63 characters";
  if (!is_name_part(name))
    return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start "
           "and end with an alphanumeric character";
  return {};
}

std::string label_value_problem(std::string_view value) {
  if (value.empty())
    return {};
  if (value.size() > max_name_length)
    return "must be no more than 63 characters";
  if (!is_name_part(value))
    return "must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
           "with an alphanumeric character";
  return {};
}

bool label_requirement::matches(const kube::string_map& labels) const {
  auto value = kube::lookup(labels, key);
  // A linear scan: value sets are a handful of entries, and it needs no sorted precondition.
  const auto listed = [&] {
    return std::find(values.begin(), values.end(), *value) != values.end();
  };
  switch (op) {
    case selector_operator::in:
      return value && listed();
    case selector_operator::not_in:
      return !value || !listed();
    case selector_operator::exists:
      return value.has_value();
    case selector_operator::does_not_exist:
      return !value;
  }
  return false;
}

std::variant<label_selector, config_error>
label_selector::make(kube::string_map match_labels,
                     std::vector<label_requirement> match_expressions, std::string_view path) {
  const auto fail = [](std::string at, std::string_view what) {
    return config_error{std::move(at) + ": " + std::string{what}};
  };
  const auto labels_path = child(path, "matchLabels");
  std::sort(match_labels.begin(), match_labels.end());
  for (size_t i = 0; i < match_labels.size(); ++i) {
    const auto& [key, value] = match_labels[i];
    if (i > 0 && match_labels[i - 1].first == key)
      return fail(labels_path, "duplicate key " + quoted(key));
    if (auto p = label_key_problem(key); !p.empty())
      return fail(labels_path, "invalid key " + quoted(key) + ": " + p);
    if (auto p = label_value_problem(value); !p.empty())
      return fail(child(labels_path, key), "invalid value " + quoted(value) + ": " + p);
  }
  for (size_t i = 0; i < match_expressions.size(); ++i) {
    auto& r = match_expressions[i];
    const auto at = child(path, "matchExpressions[" + std::to_string(i) + "]");
    if (auto p = label_key_problem(r.key); !p.empty())
      return fail(child(at, "key"), "invalid key " + quoted(r.key) + ": " + p);
    const bool wants_values = r.op == selector_operator::in || r.op == selector_operator::not_in;
    if (wants_values && r.values.empty())
      return fail(child(at, "values"),
                  "must not be empty for operator " + std::string{to_string(r.op)});
    if (!wants_values && !r.values.empty())
      return fail(child(at, "values"),
                  "must be empty for operator " + std::string{to_string(r.op)});
    for (size_t j = 0; j < r.values.size(); ++j)
      if (auto p = label_value_problem(r.values[j]); !p.empty())
        return fail(child(at, "values[" + std::to_string(j) + "]"),
                    "invalid value " + quoted(r.values[j]) + ": " + p);
    std::sort(r.values.begin(), r.values.end());
    r.values.erase(std::unique(r.values.begin(), r.values.end()), r.values.end());
  }
  label_selector out;
  out.match_labels_ = std::move(match_labels);
  out.match_expressions_ = std::move(match_expressions);
  return out;
}

bool label_selector::matches(const kube::string_map& labels) const {
  for (const auto& [key, value] : match_labels_) {
    auto have = kube::lookup(labels, key);
    if (!have || *have != value)
      return false;
  }
  return std::all_of(match_expressions_.begin(), match_expressions_.end(),
                     [&](const label_requirement& r) { return r.matches(labels); });
}

} // namespace ambient::mesh

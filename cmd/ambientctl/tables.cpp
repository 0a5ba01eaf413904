#include "cmd/ambientctl/tables.hpp"

#include <simdjson.h>

#include <algorithm>
#include <optional>
#include <tuple>

#include "cmd/flag_values.hpp"

namespace ambient::cmd {

namespace {

namespace dom = simdjson::dom;

/// Number of UTF-8 code points in `s` (continuation bytes are not counted).
size_t display_width(std::string_view s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

/// A cell as printed: control characters become spaces, empty becomes `-`.
std::string clean_cell(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    out.push_back(u < 0x20 || u == 0x7f ? ' ' : c);
  }
  return out.empty() ? "-" : out;
}

/// Reads the fields of one array element; records the first problem with its element index.
class element_reader {
public:
  element_reader(dom::object obj, size_t index) : obj_(obj), index_(index) {
    // nop
  }

  /// A string field; a missing or null optional field reads as "".
  std::string text(std::string_view key, bool required) {
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

  /// An optional number; a missing or null field reads as nullopt.
  std::optional<double> number(std::string_view key) {
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

  /// An optional boolean; a missing or null field reads as false.
  bool flag(std::string_view key) {
    dom::element value;
    if (!lookup(key, false, value))
      return false;
    bool b = false;
    if (value.get(b) != simdjson::SUCCESS)
      fail(key, "must be true or false");
    return b;
  }

  /// An optional array of strings, joined with commas.
  std::string joined(std::string_view key) {
    dom::element value;
    if (!lookup(key, false, value))
      return {};
    dom::array items;
    if (value.get(items) != simdjson::SUCCESS) {
      fail(key, "must be an array of strings");
      return {};
    }
    std::string out;
    for (dom::element item : items) {
      std::string_view s;
      if (item.get(s) != simdjson::SUCCESS) {
        fail(key, "must be an array of strings");
        return {};
      }
      out += (out.empty() ? "" : ",") + std::string{s};
    }
    return out;
  }

  /// The first problem met, or nullopt.
  const std::optional<std::string>& error() const {
    return error_;
  }

private:
  bool lookup(std::string_view key, bool required, dom::element& value) {
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

  void fail(std::string_view key, std::string_view what) {
    if (!error_)
      error_ = "element " + std::to_string(index_) + ": \"" + std::string{key} + "\" "
               + std::string{what};
  }

  dom::object obj_;
  size_t index_;
  std::optional<std::string> error_;
};

/// Parses `json` as an array and calls `row(reader)` for each element, which must be an object.
/// Returns an error message, or nullopt when every element was read.
template <class RowFn>
std::optional<std::string> for_each_element(std::string_view json, RowFn&& row) {
  dom::parser parser;
  simdjson::padded_string padded{json};
  dom::element root;
  if (auto err = parser.parse(padded).get(root))
    return std::string{"body is not valid JSON: "} + simdjson::error_message(err);
  dom::array items;
  if (root.get(items) != simdjson::SUCCESS)
    return std::string{"body is not a JSON array"};
  size_t index = 0;
  for (dom::element item : items) {
    dom::object obj;
    if (item.get(obj) != simdjson::SUCCESS)
      return "element " + std::to_string(index) + " is not a JSON object";
    element_reader reader{obj, index};
    row(reader);
    if (reader.error())
      return *reader.error();
    ++index;
  }
  return std::nullopt;
}

} // namespace

std::string render_table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::vector<std::string>> cells;
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    auto& line = cells.emplace_back();
    for (size_t i = 0; i < row.size(); ++i) {
      line.push_back(clean_cell(row[i]));
      if (widths.size() <= i)
        widths.push_back(0);
      widths[i] = std::max(widths[i], display_width(line.back()));
    }
  }
  std::string out;
  for (const auto& line : cells) {
    std::string text;
    for (size_t i = 0; i < line.size(); ++i) {
      text += line[i];
      if (i + 1 < line.size())
        text.append(widths[i] - display_width(line[i]) + 2, ' ');
    }
    while (!text.empty() && text.back() == ' ')
      text.pop_back();
    out += text + '\n';
  }
  return out;
}

table_result remote_clusters_table(std::string_view json) {
  std::vector<std::vector<std::string>> rows{{"NAME", "SECRET", "STATUS", "STALE", "LAST ERROR"}};
  auto error = for_each_element(json, [&](element_reader& r) {
    auto id = r.text("id", true);
    auto secret = r.text("secretName", false);
    auto status = r.text("syncStatus", true);
    auto stale = r.number("staleSeconds");
    auto suspended = r.flag("suspended");
    auto last_error = r.text("lastError", false);
    std::string age;
    if (stale && *stale >= 0)
      age = format_duration(std::chrono::seconds{static_cast<int64_t>(*stale)});
    if (suspended)
      age += age.empty() ? "suspended" : " suspended";
    rows.push_back({id, secret, status, age, last_error});
  });
  if (error)
    return {{}, *error};
  return {render_table(rows), {}};
}

table_result workloads_table(std::string_view json, const workload_filter& filter) {
  struct workload_row {
    std::string namespace_name, name, cluster, addresses, node, network, protocol;
  };
  std::vector<workload_row> found;
  auto error = for_each_element(json, [&](element_reader& r) {
    workload_row w;
    w.namespace_name = r.text("namespace", true);
    w.name = r.text("name", true);
    w.cluster = r.text("cluster", true);
    w.addresses = r.joined("addresses");
    w.node = r.text("node", false);
    w.network = r.text("network", false);
    w.protocol = r.text("protocol", false);
    found.push_back(std::move(w));
  });
  if (error)
    return {{}, *error};
  std::erase_if(found, [&](const workload_row& w) {
    return (!filter.namespace_name.empty() && w.namespace_name != filter.namespace_name)
           || (!filter.cluster.empty() && w.cluster != filter.cluster);
  });
  std::stable_sort(found.begin(), found.end(), [](const workload_row& a, const workload_row& b) {
    return std::tie(a.namespace_name, a.name, a.cluster)
           < std::tie(b.namespace_name, b.name, b.cluster);
  });
  std::vector<std::vector<std::string>> rows{
      {"NAMESPACE", "NAME", "CLUSTER", "ADDRESS", "NODE", "NETWORK", "PROTOCOL"}};
  for (auto& w : found)
    rows.push_back(
        {w.namespace_name, w.name, w.cluster, w.addresses, w.node, w.network, w.protocol});
  return {render_table(rows), {}};
}

} // namespace ambient::cmd

#include "telemetry/prometheus_text.hpp"

#include <charconv>
#include <cmath>

namespace ambient::telemetry {

void append_escaped(std::string& out, std::string_view s, bool quote) {
  for (char c : s) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else if (quote && c == '"')
      out += "\\\"";
    else
      out += c;
  }
}

std::string format_number(double v) {
  if (std::isnan(v))
    return "NaN";
  if (std::isinf(v))
    return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  bool integral = std::trunc(v) == v && std::fabs(v) < 1e15;
  auto res = integral ? std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed)
                      : std::to_chars(buf, buf + sizeof buf, v);
  return {buf, res.ptr};
}

std::string format_number(std::uint64_t v) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  return {buf, res.ptr};
}

void append_sample(std::string& out, std::string_view name, std::string_view suffix,
                   std::string_view labels, std::string_view extra, std::string_view value) {
  out += name;
  out += suffix;
  if (!labels.empty() || !extra.empty()) {
    out += '{';
    out += labels;
    if (!labels.empty() && !extra.empty())
      out += ',';
    out += extra;
    out += '}';
  }
  out += ' ';
  out += value;
  out += '\n';
}

void append_series(std::string& out, std::string_view name, std::string_view labels,
                   const counter& c) {
  append_sample(out, name, "", labels, "", format_number(c.value()));
}

void append_series(std::string& out, std::string_view name, std::string_view labels,
                   const gauge& g) {
  append_sample(out, name, "", labels, "", format_number(g.value()));
}

void append_series(std::string& out, std::string_view name, std::string_view labels,
                   const histogram& h) {
  auto snap = h.read();
  for (std::size_t i = 0; i < snap.cumulative.size(); ++i) {
    auto le = i < snap.bounds.size() ? format_number(snap.bounds[i]) : "+Inf";
    append_sample(out, name, "_bucket", labels, "le=\"" + le + "\"",
                  format_number(snap.cumulative[i]));
  }
  append_sample(out, name, "_sum", labels, "", format_number(snap.sum));
  append_sample(out, name, "_count", labels, "", format_number(snap.count));
}

} // namespace ambient::telemetry

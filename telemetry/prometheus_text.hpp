#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "telemetry/metrics.hpp"

/// Internal to the registry: the Prometheus text exposition format (0.0.4) of samples and series.
namespace ambient::telemetry {

/// Appends `s` with \ and newline escaped, and " too when `quote` (inside label values).
void append_escaped(std::string& out, std::string_view s, bool quote);

/// A sample value: integral values below 1e15 as plain digits, others in the shortest form that
/// reads back exactly, or +Inf, -Inf, NaN.
std::string format_number(double v);

/// A count as plain digits.
std::string format_number(std::uint64_t v);

/// Writes `name<suffix>{labels,extra} value`, leaving out the braces when there are no labels.
void append_sample(std::string& out, std::string_view name, std::string_view suffix,
                   std::string_view labels, std::string_view extra, std::string_view value);

/// Appends the sample lines of one series; `labels` is its rendered label list.
void append_series(std::string& out, std::string_view name, std::string_view labels,
                   const counter& c);
/// Appends the sample lines of one series; `labels` is its rendered label list.
void append_series(std::string& out, std::string_view name, std::string_view labels,
                   const gauge& g);
/// Appends the `_bucket` (one per bound, then +Inf), `_sum` and `_count` lines of a histogram.
void append_series(std::string& out, std::string_view name, std::string_view labels,
                   const histogram& h);

} // namespace ambient::telemetry

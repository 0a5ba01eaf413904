#include "telemetry/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <type_traits>
#include <variant>

#include "telemetry/prometheus_text.hpp"

namespace ambient::telemetry {

namespace {

/// Adds d to a double kept as a bit pattern in an atomic word.
void atomic_add(std::atomic<std::uint64_t>& bits, double d) noexcept {
  auto old = bits.load(std::memory_order_relaxed);
  while (!bits.compare_exchange_weak(
      old, std::bit_cast<std::uint64_t>(std::bit_cast<double>(old) + d), std::memory_order_relaxed))
    ;
}

/// Why bounds are unusable, or empty when they are fine.
std::string bounds_error(const std::vector<double>& bounds) {
  if (bounds.empty())
    return "histogram needs at least one bucket bound";
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    if (!std::isfinite(bounds[i]))
      return "histogram bucket bounds must be finite";
    if (i > 0 && !(bounds[i - 1] < bounds[i]))
      return "histogram bucket bounds must be strictly increasing";
  }
  return {};
}

bool valid_name(std::string_view name, bool allow_colon) {
  if (name.empty())
    return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'
              || (allow_colon && c == ':') || (i > 0 && c >= '0' && c <= '9');
    if (!ok)
      return false;
  }
  return true;
}

[[noreturn]] void fail(std::string_view metric, std::string_view what) {
  throw std::invalid_argument("metric \"" + std::string{metric} + "\": " + std::string{what});
}

template <class T>
constexpr std::string_view type_name() {
  if constexpr (std::is_same_v<T, counter>)
    return "counter";
  else if constexpr (std::is_same_v<T, gauge>)
    return "gauge";
  else
    return "histogram";
}

std::string join(const std::vector<std::string>& names) {
  std::string out = "[";
  for (const auto& n : names)
    out += (out.size() > 1 ? "," : "") + n;
  return out + "]";
}

} // namespace

void gauge::add(double d) noexcept {
  atomic_add(bits_, d);
}

histogram::histogram(std::vector<double> upper_bounds) : bounds_(std::move(upper_bounds)) {
  if (auto err = bounds_error(bounds_); !err.empty())
    throw std::invalid_argument(err);
  buckets_ = std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1);
}

void histogram::observe(double v) noexcept {
  auto i = std::isnan(v) ? bounds_.size()
                         : static_cast<std::size_t>(
                             std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin());
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  atomic_add(sum_bits_, v);
}

histogram::snapshot histogram::read() const {
  snapshot s{bounds_, {}, 0, 0};
  s.cumulative.reserve(bounds_.size() + 1);
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    s.count += buckets_[i].load(std::memory_order_relaxed);
    s.cumulative.push_back(s.count);
  }
  s.sum = std::bit_cast<double>(sum_bits_.load(std::memory_order_relaxed));
  return s;
}

std::vector<double> exponential_buckets(double start, double factor, std::size_t count) {
  if (!(start > 0) || !(factor > 1) || count == 0)
    throw std::invalid_argument("exponential_buckets needs start > 0, factor > 1 and count >= 1");
  std::vector<double> out;
  out.reserve(count);
  for (double b = start; out.size() < count; b *= factor) {
    if (!std::isfinite(b))
      throw std::invalid_argument("exponential_buckets: bounds overflow to infinity");
    out.push_back(b);
  }
  return out;
}

/// One metric name: its type, help, label names and series keyed by label values (so sorted).
struct registry::family {
  using series_ptr
      = std::variant<std::unique_ptr<counter>, std::unique_ptr<gauge>, std::unique_ptr<histogram>>;
  std::string_view type;
  std::string help;
  std::vector<std::string> label_names;
  std::vector<double> bounds; // histograms only
  std::map<std::vector<std::string>, series_ptr> series;
};

registry::registry() = default;
registry::~registry() = default;

template <class T>
T& registry::add_series(std::string_view name, std::string_view help, label_set labels,
                        std::vector<double> bounds) {
  constexpr bool is_histogram = std::is_same_v<T, histogram>;
  if (!valid_name(name, true))
    fail(name, "invalid metric name");
  if constexpr (is_histogram)
    if (auto err = bounds_error(bounds); !err.empty())
      fail(name, err);
  std::vector<std::string> names;
  std::vector<std::string> values;
  for (auto& [n, v] : labels) {
    if (!valid_name(n, false) || n.starts_with("__") || (is_histogram && n == "le"))
      fail(name, "invalid label name \"" + n + "\"");
    if (std::find(names.begin(), names.end(), n) != names.end())
      fail(name, "repeated label name \"" + n + "\"");
    names.push_back(std::move(n));
    values.push_back(std::move(v));
  }
  std::lock_guard guard{mutex_};
  auto it = families_.find(name);
  if (it == families_.end()) {
    auto f = std::make_unique<family>(family{type_name<T>(), std::string{help}, names, bounds, {}});
    it = families_.emplace(std::string{name}, std::move(f)).first;
  }
  auto& f = *it->second;
  if (f.type != type_name<T>())
    fail(name, "already registered as a " + std::string{f.type} + ", not a "
                   + std::string{type_name<T>()});
  if (f.help != help)
    fail(name, "already registered with another help text");
  if (f.label_names != names)
    fail(name,
         "already registered with label names " + join(f.label_names) + ", not " + join(names));
  if (f.bounds != bounds)
    fail(name, "already registered with other bucket bounds");
  auto s = f.series.find(values);
  if (s == f.series.end()) {
    std::unique_ptr<T> made;
    if constexpr (is_histogram)
      made = std::make_unique<T>(std::move(bounds));
    else
      made = std::make_unique<T>();
    s = f.series.emplace(std::move(values), std::move(made)).first;
  }
  return *std::get<std::unique_ptr<T>>(s->second);
}

counter& registry::add_counter(std::string_view name, std::string_view help, label_set labels) {
  return add_series<counter>(name, help, std::move(labels), {});
}

gauge& registry::add_gauge(std::string_view name, std::string_view help, label_set labels) {
  return add_series<gauge>(name, help, std::move(labels), {});
}

histogram& registry::add_histogram(std::string_view name, std::string_view help,
                                   std::vector<double> bounds, label_set labels) {
  return add_series<histogram>(name, help, std::move(labels), std::move(bounds));
}

bool registry::remove(std::string_view name, const label_set& labels) {
  std::lock_guard guard{mutex_};
  auto it = families_.find(name);
  if (it == families_.end() || it->second->label_names.size() != labels.size())
    return false;
  auto& f = *it->second;
  std::vector<std::string> values;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (labels[i].first != f.label_names[i])
      return false;
    values.push_back(labels[i].second);
  }
  return f.series.erase(values) > 0;
}

std::string registry::encode() const {
  std::string out;
  std::lock_guard guard{mutex_};
  for (const auto& [name, f] : families_) {
    out += "# HELP " + name + ' ';
    append_escaped(out, f->help, false);
    out += "\n# TYPE " + name + ' ' + std::string{f->type} + '\n';
    for (const auto& [values, s] : f->series) {
      std::string labels;
      for (std::size_t i = 0; i < values.size(); ++i) {
        labels += (i > 0 ? "," : "") + f->label_names[i] + "=\"";
        append_escaped(labels, values[i], true);
        labels += '"';
      }
      const auto& family_name = name; // a lambda may not capture a structured binding in clang 14
      std::visit([&](const auto& p) { append_series(out, family_name, labels, *p); }, s);
    }
  }
  return out;
}

registry& default_registry() {
  static auto* r = new registry; // leaked on purpose: no destruction-order hazard at exit
  return *r;
}

} // namespace ambient::telemetry

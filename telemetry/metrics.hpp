#pragma once

#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ambient::telemetry {

/// Label pairs of one series, in the order given. Names must match [a-zA-Z_][a-zA-Z0-9_]*, must
/// not start with "__", must not repeat, and must not be "le" for histograms. Every series of a
/// family uses the same names in the same order; values are free text.
using label_set = std::vector<std::pair<std::string, std::string>>;

/// A monotonically increasing count (events seen, pushes sent). Updates are lock-free and relaxed:
/// a counter orders nothing else.
class counter {
public:
  /// Adds n to the total.
  void inc(std::uint64_t n = 1) noexcept {
    value_.fetch_add(n, std::memory_order_relaxed);
  }

  /// The total so far.
  std::uint64_t value() const noexcept {
    return value_.load(std::memory_order_relaxed);
  }

private:
  std::atomic<std::uint64_t> value_{0};
};

/// A value that goes up and down (connected proxies, queue depth). Lock-free: the double lives in
/// an atomic 64-bit word as its bit pattern.
class gauge {
public:
  /// Replaces the value.
  void set(double v) noexcept {
    bits_.store(std::bit_cast<std::uint64_t>(v), std::memory_order_relaxed);
  }

  /// Adds d (negative to subtract); concurrent adds are never lost.
  void add(double d) noexcept;

  /// The current value.
  double value() const noexcept {
    return std::bit_cast<double>(bits_.load(std::memory_order_relaxed));
  }

private:
  std::atomic<std::uint64_t> bits_{0}; // 0 is the bit pattern of +0.0
};

/// A distribution over fixed buckets (push latency, snapshot size). Observations are lock-free;
/// the bucket layout is fixed at construction.
class histogram {
public:
  /// Takes the finite, strictly increasing upper bounds of the buckets (an implicit +Inf bucket
  /// follows); throws std::invalid_argument when they are empty, unsorted, repeated or not finite.
  explicit histogram(std::vector<double> upper_bounds);

  /// Counts v in the first bucket whose bound is >= v (bounds are inclusive); NaN counts in +Inf.
  void observe(double v) noexcept;

  /// A copy of the histogram at one moment.
  struct snapshot {
    std::vector<double> bounds;
    std::vector<std::uint64_t> cumulative; ///< one per bound, then +Inf
    double sum = 0;
    std::uint64_t count = 0; ///< always equals cumulative.back()
  };

  /// Reads the buckets and the sum. A read racing observations may see the sum and the buckets a
  /// few observations apart, but the counts are always cumulative and count equals the +Inf bucket.
  snapshot read() const;

  /// The upper bounds given at construction.
  const std::vector<double>& bounds() const noexcept {
    return bounds_;
  }

private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_; // bounds_.size() + 1, not cumulative
  std::atomic<std::uint64_t> sum_bits_{0};
};

/// Bounds start, start*factor, start*factor^2, ... (count of them). Throws std::invalid_argument
/// unless start > 0, factor > 1, count >= 1 and every bound is finite.
std::vector<double> exponential_buckets(double start, double factor, std::size_t count);

/// Named metric families and their series, encoded for a Prometheus scrape. Registration and
/// encoding take a mutex; updating a series never does.
class registry {
public:
  registry();
  ~registry();
  registry(const registry&) = delete;
  registry& operator=(const registry&) = delete;

  /// Returns the counter for (name, labels), creating the family and the series on first use. The
  /// same name and labels return the same object, whose address is stable until remove() or the
  /// registry's end. Throws std::invalid_argument, naming the metric, when the metric name
  /// ([a-zA-Z_:][a-zA-Z0-9_:]*) or a label name is invalid, or the family exists with another
  /// type, help or label-name list.
  counter& add_counter(std::string_view name, std::string_view help, label_set labels = {});

  /// As add_counter, for a gauge.
  gauge& add_gauge(std::string_view name, std::string_view help, label_set labels = {});

  /// As add_counter, for a histogram; it also throws when the bounds are invalid or differ from
  /// the family's.
  histogram& add_histogram(std::string_view name, std::string_view help, std::vector<double> bounds,
                           label_set labels = {});

  /// Removes one series (say, of a cluster that is gone) and returns whether it existed. The
  /// family stays and is still exposed with HELP and TYPE. Every reference to the removed series
  /// dangles from then on: its owner must drop it before calling remove().
  bool remove(std::string_view name, const label_set& labels);

  /// The Prometheus text exposition (format 0.0.4): families sorted by name, each with HELP and
  /// TYPE, then its series sorted by label values. Integral values below 1e15 print as plain
  /// digits, others in the shortest form that reads back exactly, or +Inf, -Inf, NaN.
  std::string encode() const;

private:
  struct family;

  /// Validates, then finds or creates the family and the series of type T.
  template <class T>
  T& add_series(std::string_view name, std::string_view help, label_set labels,
                std::vector<double> bounds);

  mutable std::mutex mutex_; // guards families_ and their series maps, never the series' values
  std::map<std::string, std::unique_ptr<family>, std::less<>> families_;
};

/// The process-wide registry, which the admin server's /metrics serves. Never destroyed, so
/// series may be updated until the process exits.
registry& default_registry();

/// The Content-Type of encode()'s output.
inline constexpr std::string_view prometheus_content_type
    = "text/plain; version=0.0.4; charset=utf-8";

} // namespace ambient::telemetry

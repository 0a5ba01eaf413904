#pragma once

#include <string_view>

#include "kube/informer_core.hpp"
#include "telemetry/metrics.hpp"

namespace ambient::kube {

/// An informer's counters in a metrics registry (labels cluster, resource; events also by type),
/// kept level with the core's stats. Several incarnations of one (cluster, resource) informer
/// add to the same series.
class informer_metrics {
public:
  informer_metrics(telemetry::registry& r, std::string_view cluster, resource_kind kind);

  /// Adds what `now` counted since the last call.
  void count(const informer_stats& now);

private:
  telemetry::counter& added_;
  telemetry::counter& modified_;
  telemetry::counter& deleted_;
  telemetry::counter& relists_;
  telemetry::counter& watch_restarts_;
  telemetry::counter& errors_;
  telemetry::counter& decode_errors_;
  informer_stats counted_; ///< what the counters hold so far
};

} // namespace ambient::kube

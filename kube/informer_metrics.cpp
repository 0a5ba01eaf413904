#include "kube/informer_metrics.hpp"

#include <string>

#include "kube/resource_kind.hpp"

namespace ambient::kube {

namespace {

telemetry::label_set labels_of(std::string_view cluster, resource_kind kind) {
  return {{"cluster", std::string{cluster}}, {"resource", std::string{to_string(kind)}}};
}

telemetry::counter& events(telemetry::registry& r, std::string_view cluster, resource_kind kind,
                           const char* type) {
  auto labels = labels_of(cluster, kind);
  labels.emplace_back("type", type);
  return r.add_counter("ambientd_informer_events_total",
                       "Watch events an informer received, by type", std::move(labels));
}

} // namespace

informer_metrics::informer_metrics(telemetry::registry& r, std::string_view cluster,
                                   resource_kind kind)
  : added_(events(r, cluster, kind, "added")), modified_(events(r, cluster, kind, "modified")),
    deleted_(events(r, cluster, kind, "deleted")),
    relists_(r.add_counter("ambientd_informer_relists_total",
                           "Full LISTs an informer made after its first",
                           labels_of(cluster, kind))),
    watch_restarts_(r.add_counter("ambientd_informer_watch_restarts_total",
                                  "Watches that ended normally and were reopened",
                                  labels_of(cluster, kind))),
    errors_(r.add_counter("ambientd_informer_errors_total",
                          "Failed LIST or WATCH requests (each is retried with backoff)",
                          labels_of(cluster, kind))),
    decode_errors_(r.add_counter("ambientd_informer_decode_errors_total",
                                 "Objects or watch events that could not be decoded",
                                 labels_of(cluster, kind))) {}

void informer_metrics::count(const informer_stats& now) {
  added_.inc(now.events_added - counted_.events_added);
  modified_.inc(now.events_modified - counted_.events_modified);
  deleted_.inc(now.events_deleted - counted_.events_deleted);
  relists_.inc(now.relists - counted_.relists);
  watch_restarts_.inc(now.watch_restarts - counted_.watch_restarts);
  errors_.inc(now.errors - counted_.errors);
  decode_errors_.inc(now.decode_errors - counted_.decode_errors);
  counted_ = now;
}

} // namespace ambient::kube

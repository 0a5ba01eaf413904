#include "kube/informer_core.hpp"

#include "base/percent.hpp"

#include <cstdio>
#include <utility>

#include "kube/api_envelope.hpp"
#include "kube/resource_kind.hpp"

namespace ambient::kube {

namespace {

/// How the reflector should take a request that ended with `end`.
failure_kind failure_of(const response_end& end) {
  if (end.status == 410)
    return failure_kind::expired;
  // The server has not reached the version asked for (a cluster restored from a backup, or
  // replaced behind the same address): retrying that version would fail for ever, so relist
  // from "" as after 410, as client-go does.
  if (end.status == 504)
    if (auto st = decode_status(end.body); st && st->resource_version_too_large)
      return failure_kind::expired;
  if (end.status == 429)
    return failure_kind::throttled;
  if (end.status == 401 || end.status == 403)
    return failure_kind::unauthorized;
  if (end.status == 404)
    return failure_kind::not_served;
  if (end.status == 0)
    return failure_kind::connection;
  return failure_kind::server;
}

/// "HTTP 503: <the Status's message>", or the transport's error.
std::string describe(const response_end& end) {
  if (end.status == 0)
    return end.error;
  auto st = decode_status(end.body);
  std::string out = "HTTP " + std::to_string(end.status);
  if (st && !st->message.empty())
    out += ": " + st->message;
  return out;
}

} // namespace

std::string
with_query(std::string path,
           std::initializer_list<std::pair<std::string_view, std::string_view>> params) {
  char sep = path.find('?') == std::string::npos ? '?' : '&';
  for (const auto& [k, v] : params) {
    path += sep;
    sep = '&';
    base::percent_encode(path, k);
    path += '=';
    base::percent_encode(path, v);
  }
  return path;
}

informer_core::informer_core(informer_settings settings, std::vector<std::string> known_keys,
                             std::string known_resource_version, uint64_t seed)
  : settings_(std::move(settings)), reflector_(settings_.reflector), rng_(seed) {
  for (auto& key : known_keys)
    reflector_.assume_known(std::move(key));
  reflector_.resume_from(std::move(known_resource_version));
}

double informer_core::random01() {
  return std::uniform_real_distribution<double>{0.0, 1.0}(rng_);
}

const informer_stats& informer_core::stats() {
  stats_.relists = reflector_.relists();
  stats_.objects = reflector_.size();
  return stats_;
}

informer_effects informer_core::start(time_point now) {
  informer_effects fx;
  apply(reflector_.start(now), fx, now);
  return fx;
}

informer_effects informer_core::on_list(const response_end& end, time_point now) {
  informer_effects fx;
  if (end.status == 404) {
    // The resource type is not served (its CRD is not installed): synced and empty.
    if (!reflector_.not_served())
      fx.notes.push_back(std::string{to_string(settings_.kind)}
                         + " is not served by this API server (" + describe(end)
                         + "): counted as empty, listed again every "
                         + std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                              settings_.reflector.not_served_recheck)
                                              .count())
                         + " ms");
    apply(reflector_.on_not_served(now), fx, now);
    set_health(true, {}, fx);
    return fx;
  }
  if (end.status != 200) {
    fail(failure_of(end), "list: " + describe(end), fx, now);
    return fx;
  }
  auto list = decode_list(settings_.kind, end.body, settings_.limits);
  if (auto* e = std::get_if<decode_error>(&list)) {
    fail(failure_kind::malformed, "list: " + e->message, fx, now);
    return fx;
  }
  auto& decoded_list = std::get<object_list>(list);
  if (decoded_list.unnamed > 0) {
    stats_.decode_errors += decoded_list.unnamed;
    fx.warnings.push_back(std::string{to_string(settings_.kind)} + ": "
                          + std::to_string(decoded_list.unnamed)
                          + " list item(s) without usable metadata skipped");
  }
  list_page page{
      std::move(decoded_list.resource_version), std::move(decoded_list.continue_token), {}};
  page.items.reserve(decoded_list.items.size());
  for (auto& item : decoded_list.items) {
    if (item.error) {
      ++stats_.decode_errors;
      fx.warnings.push_back(std::string{to_string(settings_.kind)} + " " + item.key + ": "
                            + item.error->message);
    }
    page.items.push_back(
        {std::move(item.key), std::move(item.resource_version), std::move(item.object)});
  }
  apply(reflector_.on_list_page(std::move(page), now, random01()), fx, now);
  return fx;
}

informer_effects informer_core::on_end(const response_end& end, time_point now) {
  return watching_ ? on_watch_end(end, now) : on_list(end, now);
}

informer_effects informer_core::on_watch_bytes(std::string_view bytes, time_point now) {
  informer_effects fx;
  std::vector<std::string> frames;
  if (auto err = framer_.feed(bytes, frames)) {
    fail(failure_kind::malformed, *err, fx, now);
    return fx;
  }
  std::vector<change> deltas;
  for (const auto& f : frames) {
    auto decoded_event = decode_watch_event(settings_.kind, f, settings_.limits);
    if (auto* e = std::get_if<decode_error>(&decoded_event)) {
      hand_on(deltas, fx);
      fail(failure_kind::malformed, "watch event: " + e->message, fx, now);
      return fx;
    }
    auto& ev = std::get<watch_event>(decoded_event);
    auto& item = ev.item;
    if (item.error) {
      ++stats_.decode_errors;
      fx.warnings.push_back(std::string{to_string(settings_.kind)} + " " + item.key + ": "
                            + item.error->message);
    }
    reflector_step step;
    switch (ev.type) {
      case watch_event_type::added:
      case watch_event_type::modified:
      case watch_event_type::deleted: {
        change::type_t type = ev.type == watch_event_type::added      ? change::added
                              : ev.type == watch_event_type::modified ? change::modified
                                                                      : change::deleted;
        ++(type == change::added      ? stats_.events_added
           : type == change::modified ? stats_.events_modified
                                      : stats_.events_deleted);
        step = reflector_.on_event(change{type, std::move(item.key),
                                          std::move(item.resource_version), std::move(item.object)},
                                   now);
        break;
      }
      case watch_event_type::bookmark:
        ++stats_.bookmarks;
        step = reflector_.on_bookmark(std::move(item.resource_version), now);
        break;
      case watch_event_type::error: {
        hand_on(deltas, fx);
        const auto& st = ev.status;
        fail(st.code == 410 || st.resource_version_too_large
                 ? failure_kind::expired
                 : failure_of(response_end{st.code, {}, {}, false}),
             "watch ERROR event " + std::to_string(st.code) + " " + st.reason + ": " + st.message,
             fx, now);
        return fx;
      }
    }
    for (auto& d : step.deltas)
      deltas.push_back(std::move(d));
  }
  hand_on(deltas, fx);
  if (!healthy_ && reflector_.watching())
    set_health(true, {}, fx);
  return fx;
}

informer_effects informer_core::on_watch_end(const response_end& end, time_point now) {
  informer_effects fx;
  if (end.status != 200) {
    fail(failure_of(end), "watch: " + describe(end), fx, now);
  } else if (!end.error.empty()) {
    fail(failure_kind::connection, "watch stream cut: " + end.error, fx, now);
  } else if (framer_.has_partial()) {
    fail(failure_kind::malformed, "watch stream ended inside an event (truncated chunk)", fx, now);
  } else {
    ++stats_.watch_restarts;
    apply(reflector_.on_watch_end(now, random01()), fx, now);
  }
  return fx;
}

informer_effects informer_core::on_timer(time_point now) {
  informer_effects fx;
  apply(reflector_.on_timer(now, random01()), fx, now);
  return fx;
}

informer_effects informer_core::on_tick(time_point now) {
  informer_effects fx;
  if (auto dead = reflector_.check_liveness(now, random01()))
    fail_with(std::move(*dead), failure_kind::watch_silent,
              "no event or bookmark within the idle timeout", fx, now);
  return fx;
}

void informer_core::apply(reflector_step step, informer_effects& fx, time_point now) {
  hand_on(step.deltas, fx);
  if (step.synced_now) {
    stats_.last_sync_ns = now.time_since_epoch().count();
    set_health(true, {}, fx);
  }
  if (!step.next)
    return;
  if (auto* l = std::get_if<do_list>(&*step.next)) {
    fx.request = informer_request{false, path_of(*l)};
    watching_ = false;
  } else if (auto* w = std::get_if<do_watch>(&*step.next)) {
    framer_.reset();
    fx.request = informer_request{true, path_of(*w)};
    watching_ = true;
  } else {
    fx.wait = std::get<do_wait>(*step.next).delay;
  }
}

void informer_core::fail(failure_kind why, std::string message, informer_effects& fx,
                         time_point now) {
  fail_with(reflector_.on_failure(why, now, random01()), why, std::move(message), fx, now);
}

void informer_core::fail_with(reflector_step step, failure_kind why, std::string message,
                              informer_effects& fx, time_point now) {
  ++stats_.errors;
  fx.cancel = true;
  auto error = std::string{to_string(why)} + ": " + message;
  fx.failures.push_back(std::string{to_string(settings_.kind)} + " " + error);
  set_health(false, std::move(error), fx);
  apply(std::move(step), fx, now);
}

void informer_core::set_health(bool healthy, std::string error, informer_effects& fx) {
  bool changed = !reported_once_ || healthy != healthy_ || error != last_error_;
  healthy_ = healthy;
  last_error_ = std::move(error);
  if (!changed)
    return;
  reported_once_ = true;
  fx.health_changed = true;
}

void informer_core::hand_on(std::vector<change>& deltas, informer_effects& fx) {
  for (auto& d : deltas) {
    if (d.type != change::deleted && !d.object) {
      // The object did not decode (counted and logged when it arrived): the handlers forget it,
      // and the reflector too, so the stream stays consistent (a later valid version arrives as
      // an add).
      if (d.type == change::modified)
        fx.changes.push_back({change::deleted, d.key, d.resource_version, std::nullopt});
      reflector_.forget(d.key);
      continue;
    }
    fx.changes.push_back(std::move(d));
  }
  deltas.clear();
}

std::string informer_core::path_of(const do_list& l) const {
  auto collection = collection_path(settings_.kind, settings_.namespace_);
  auto limit = std::to_string(l.limit);
  // A continued page's version is in its token: the API server refuses a resourceVersion next to
  // it (400), so client-go's pager drops it from every later page, and so does this.
  std::string out
      = l.limit == 0 ? with_query(collection, {{"resourceVersion", l.resource_version}})
        : l.continue_token.empty()
            ? with_query(collection, {{"resourceVersion", l.resource_version}, {"limit", limit}})
            : with_query(collection, {{"limit", limit}, {"continue", l.continue_token}});
  return with_selectors(std::move(out));
}

std::string informer_core::path_of(const do_watch& w) const {
  auto out = with_query(collection_path(settings_.kind, settings_.namespace_),
                        {{"watch", "true"},
                         {"resourceVersion", w.resource_version},
                         {"allowWatchBookmarks", "true"},
                         {"timeoutSeconds", std::to_string(w.timeout_seconds)}});
  return with_selectors(std::move(out));
}

std::string informer_core::with_selectors(std::string path) const {
  if (!settings_.label_selector.empty())
    path = with_query(std::move(path), {{"labelSelector", settings_.label_selector}});
  if (!settings_.field_selector.empty())
    path = with_query(std::move(path), {{"fieldSelector", settings_.field_selector}});
  return path;
}

} // namespace ambient::kube

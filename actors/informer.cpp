#include "actors/informer.hpp"

#include <caf/actor_ostream.hpp>
#include <caf/all.hpp>

#include "messages/type_ids.hpp"
#include "telemetry/log.hpp"

namespace ambient::actors {

namespace {

using kube::failure_kind;
using steady = std::chrono::steady_clock;

failure_kind failure_of(const kube::response_end& end) {
  if (end.status == 410)
    return failure_kind::expired;
  // The server has not reached the version asked for (a cluster restored from a backup, or
  // replaced behind the same address): retrying that version would fail for ever, so relist
  // from "" as after 410, as client-go does.
  if (end.status == 504)
    if (auto st = kube::decode_status(end.body); st && st->resource_version_too_large)
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

std::string describe(const kube::response_end& end) {
  if (end.status == 0)
    return end.error;
  auto st = kube::decode_status(end.body);
  std::string out = "HTTP " + std::to_string(end.status);
  if (st && !st->message.empty())
    out += ": " + st->message;
  return out;
}

std::string query_path(const informer_config& cfg, const std::string& base,
                       std::initializer_list<std::pair<const char*, std::string>> params) {
  std::string out = base;
  char sep = '?';
  auto add = [&](const char* k, const std::string& v) {
    out += sep;
    sep = '&';
    out += k;
    out += '=';
    for (unsigned char c : v) {
      if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
        out += static_cast<char>(c);
      } else {
        char buf[4];
        std::snprintf(buf, sizeof buf, "%%%02X", c);
        out += buf;
      }
    }
  };
  for (const auto& [k, v] : params)
    add(k, v);
  if (!cfg.label_selector.empty())
    add("labelSelector", cfg.label_selector);
  return out;
}

/// The shell's glue: run the reflector's step (deltas out, next request or timer).
class informer_shell {
public:
  explicit informer_shell(informer_actor_ptr self) : self_(self), st_(self->state) {
    // nop
  }

  /// Every handler runs through a shell: the metrics catch up with the stats as it ends.
  ~informer_shell() {
    auto& m = st_.metrics;
    auto& now = st_.stats;
    auto& was = st_.counted;
    now.relists = st_.core.relists();
    m.added->inc(now.events_added - was.events_added);
    m.modified->inc(now.events_modified - was.events_modified);
    m.deleted->inc(now.events_deleted - was.events_deleted);
    m.relists->inc(now.relists - was.relists);
    m.watch_restarts->inc(now.watch_restarts - was.watch_restarts);
    m.errors->inc(now.errors - was.errors);
    m.decode_errors->inc(now.decode_errors - was.decode_errors);
    was = now;
  }
  informer_shell(const informer_shell&) = delete;
  informer_shell& operator=(const informer_shell&) = delete;

  void apply(kube::reflector_step step) {
    emit(step.deltas);
    if (step.synced_now) {
      st_.stats.last_sync_ns = steady::now().time_since_epoch().count();
      set_health(true, {});
    }
    if (step.next)
      std::visit([this](const auto& a) { act(a); }, *step.next);
  }

  void fail(failure_kind why, std::string message) {
    fail_with(st_.core.on_failure(why, steady::now(), st_.random01()), why, std::move(message));
  }

  /// Abandons the current request, reports the failure and runs the reflector's answer to it.
  void fail_with(kube::reflector_step step, failure_kind why, std::string message) {
    ++st_.stats.errors;
    if (st_.request != 0)
      st_.cfg.transport->cancel(st_.request);
    st_.request = 0;
    ++st_.ticket; // results of the abandoned request are ignored from now on
    log()->warn("{} {}: {}", kube::to_string(st_.cfg.kind), kube::to_string(why), message);
    set_health(false, std::string{kube::to_string(why)} + ": " + message);
    apply(std::move(step));
  }

  std::shared_ptr<spdlog::logger> log() {
    if (!log_)
      log_ = telemetry::make_logger("informer", st_.cfg.cluster_id);
    return log_;
  }

  void set_health(bool healthy, std::string error) {
    bool changed = !st_.reported_once || healthy != st_.healthy || error != st_.last_error;
    st_.healthy = healthy;
    st_.last_error = std::move(error);
    if (!changed)
      return;
    st_.reported_once = true;
    st_.stats.relists = st_.core.relists();
    st_.stats.objects = st_.core.size();
    self_->send(st_.cfg.parent, messages::informer_health{st_.cfg.kind, st_.core.has_synced(),
                                                          healthy, st_.last_error, st_.stats});
  }

  void on_list(kube::response_end end) {
    st_.request = 0;
    ++st_.ticket;
    if (end.status == 404) {
      // The resource type is not served (its CRD is not installed): synced and empty.
      if (!st_.core.not_served())
        log()->info(
            "{} is not served by this API server ({}): counted as empty, listed again "
            "every {} s",
            kube::to_string(st_.cfg.kind), describe(end),
            std::chrono::duration_cast<std::chrono::seconds>(st_.cfg.reflector.not_served_recheck)
                .count());
      apply(st_.core.on_not_served(steady::now()));
      set_health(true, {});
      return;
    }
    if (end.status != 200) {
      fail(failure_of(end), "list: " + describe(end));
      return;
    }
    auto list
        = kube::decode_list(end.body, {std::max(st_.cfg.limits.max_object_bytes, end.body.size())});
    if (auto* e = std::get_if<kube::decode_error>(&list)) {
      fail(failure_kind::malformed, "list: " + e->message);
      return;
    }
    auto& raw = std::get<kube::raw_list>(list);
    kube::list_page page{raw.resource_version, raw.continue_token, {}};
    page.items.reserve(raw.items.size());
    for (auto& item : raw.items) {
      auto meta = kube::decode_object_meta(item);
      if (!meta) {
        ++st_.stats.decode_errors;
        log()->warn("{}: list item without usable metadata skipped", kube::to_string(st_.cfg.kind));
        continue;
      }
      page.items.push_back({kube::object_key(*meta), meta->resource_version, std::move(item)});
    }
    apply(st_.core.on_list_page(page, steady::now(), st_.random01()));
  }

  void on_watch_bytes(std::string_view bytes) {
    std::vector<std::string> frames;
    if (auto err = st_.framer.feed(bytes, frames)) {
      fail(failure_kind::malformed, *err);
      return;
    }
    std::vector<kube::delta> deltas;
    for (const auto& f : frames) {
      auto ev = kube::decode_watch_event(f, st_.cfg.limits);
      if (auto* e = std::get_if<kube::decode_error>(&ev)) {
        emit(deltas);
        fail(failure_kind::malformed, "watch event: " + e->message);
        return;
      }
      auto& w = std::get<kube::raw_watch_event>(ev);
      kube::watched_event we{kube::event_kind::bookmark, kube::object_key(w.meta),
                             w.meta.resource_version, std::move(w.object_json)};
      switch (w.type) {
        case kube::watch_event_type::added:
          we.kind = kube::event_kind::added;
          ++st_.stats.events_added;
          break;
        case kube::watch_event_type::modified:
          we.kind = kube::event_kind::modified;
          ++st_.stats.events_modified;
          break;
        case kube::watch_event_type::deleted:
          we.kind = kube::event_kind::deleted;
          ++st_.stats.events_deleted;
          break;
        case kube::watch_event_type::bookmark:
          ++st_.stats.bookmarks;
          break;
        case kube::watch_event_type::error: {
          emit(deltas);
          kube::response_end end{w.status_code, {}, {}, false};
          fail(w.status_code == 410 || w.status_version_too_large ? failure_kind::expired
                                                                  : failure_of(end),
               "watch ERROR event " + std::to_string(w.status_code) + " " + w.status_reason + ": "
                   + w.status_message);
          return;
        }
      }
      auto step = st_.core.on_event(we, steady::now());
      for (auto& d : step.deltas)
        deltas.push_back(std::move(d));
    }
    emit(deltas);
    if (!st_.healthy && st_.core.watching())
      set_health(true, {});
  }

  void on_watch_end(kube::response_end end) {
    st_.request = 0;
    ++st_.ticket;
    if (end.status != 200) {
      fail(failure_of(end), "watch: " + describe(end));
    } else if (!end.error.empty()) {
      fail(failure_kind::connection, "watch stream cut: " + end.error);
    } else if (st_.framer.has_partial()) {
      fail(failure_kind::malformed, "watch stream ended inside an event (truncated chunk)");
    } else {
      ++st_.stats.watch_restarts;
      apply(st_.core.on_watch_end(steady::now(), st_.random01()));
    }
  }

private:
  void act(const kube::do_list& l) {
    std::string path = kube::collection_path(st_.cfg.kind, st_.cfg.namespace_);
    // A continued page's version is in its token: the API server refuses a resourceVersion next to
    // it (400), so client-go's pager drops it from every later page, and so does this.
    auto full
        = l.limit == 0 ? query_path(st_.cfg, path, {{"resourceVersion", l.resource_version}})
          : l.continue_token.empty()
              ? query_path(
                  st_.cfg, path,
                  {{"resourceVersion", l.resource_version}, {"limit", std::to_string(l.limit)}})
              : query_path(st_.cfg, path,
                           {{"limit", std::to_string(l.limit)}, {"continue", l.continue_token}});
    auto self = caf::actor_cast<caf::actor>(self_);
    auto ticket = ++st_.ticket;
    st_.request = st_.cfg.transport->start(
        st_.cfg.client, "GET", full, {}, nullptr, [self, ticket](kube::response_end end) {
          caf::anon_send(self, messages::list_result{ticket, std::move(end)});
        });
  }

  void act(const kube::do_watch& w) {
    st_.framer.reset();
    auto path = query_path(st_.cfg, kube::collection_path(st_.cfg.kind, st_.cfg.namespace_),
                           {{"watch", "true"},
                            {"resourceVersion", w.resource_version},
                            {"allowWatchBookmarks", "true"},
                            {"timeoutSeconds", std::to_string(w.timeout_seconds)}});
    auto self = caf::actor_cast<caf::actor>(self_);
    auto ticket = ++st_.ticket;
    st_.request = st_.cfg.transport->start(
        st_.cfg.client, "GET", path, {},
        [self, ticket](std::string_view chunk) {
          caf::anon_send(self, messages::watch_data{ticket, std::string{chunk}});
        },
        [self, ticket](kube::response_end end) {
          caf::anon_send(self, messages::watch_end{ticket, std::move(end)});
        });
  }

  void act(const kube::do_wait& w) {
    self_->delayed_send(self_, w.delay, atom::timer_v, ++st_.timer_generation);
  }

  void emit(std::vector<kube::delta>& deltas) {
    if (deltas.empty())
      return;
    auto batch = std::make_shared<messages::informer_batch>();
    batch->kind = st_.cfg.kind;
    batch->resource_version = st_.core.last_resource_version();
    batch->changes.reserve(deltas.size());
    for (auto& d : deltas) {
      messages::object_change c{static_cast<messages::object_change::type_t>(d.type), d.key,
                                d.resource_version, std::nullopt};
      if (d.type != kube::delta::deleted) {
        auto obj = kube::decode_object(st_.cfg.kind, d.json, st_.cfg.limits);
        if (auto* e = std::get_if<kube::decode_error>(&obj)) {
          // The object is unusable: make the handlers forget it, and the reflector too, so the
          // stream stays consistent (a later valid version arrives as an add).
          ++st_.stats.decode_errors;
          log()->warn("{} {}: {}", kube::to_string(st_.cfg.kind), d.key, e->message);
          if (d.type == kube::delta::updated)
            batch->changes.push_back(
                {messages::object_change::deleted, d.key, d.resource_version, std::nullopt});
          st_.core.forget(d.key);
          continue;
        }
        c.object = std::get<kube::any_object>(std::move(obj));
      }
      batch->changes.push_back(std::move(c));
    }
    deltas.clear();
    if (!batch->changes.empty())
      self_->send(st_.cfg.parent, messages::informer_batch_ptr{std::move(batch)});
  }

  informer_actor_ptr self_;
  informer_state& st_;
  std::shared_ptr<spdlog::logger> log_;
};

} // namespace

void informer_keys::apply(const messages::informer_batch& batch) {
  // "" too: after a resource type stopped being served, nothing from before may be resumed from.
  resource_version_ = batch.resource_version;
  for (const auto& c : batch.changes) {
    if (c.type == messages::object_change::deleted)
      keys_.erase(c.key);
    else
      keys_.insert(c.key);
  }
}

informer_state::~informer_state() {
  if (request != 0 && cfg.transport)
    cfg.transport->cancel(request);
}

namespace {

/// The counters of one (cluster, resource) informer in the process-wide registry.
informer_metrics make_informer_metrics(const informer_config& cfg) {
  auto& r = telemetry::default_registry();
  telemetry::label_set labels{{"cluster", cfg.cluster_id},
                              {"resource", std::string{kube::to_string(cfg.kind)}}};
  auto events = [&](const char* type) {
    auto l = labels;
    l.emplace_back("type", type);
    return &r.add_counter("ambientd_informer_events_total",
                          "Watch events an informer received, by type", std::move(l));
  };
  informer_metrics m;
  m.added = events("added");
  m.modified = events("modified");
  m.deleted = events("deleted");
  m.relists = &r.add_counter("ambientd_informer_relists_total",
                             "Full LISTs an informer made after its first", labels);
  m.watch_restarts = &r.add_counter("ambientd_informer_watch_restarts_total",
                                    "Watches that ended normally and were reopened", labels);
  m.errors = &r.add_counter("ambientd_informer_errors_total",
                            "Failed LIST or WATCH requests (each is retried with backoff)", labels);
  m.decode_errors = &r.add_counter("ambientd_informer_decode_errors_total",
                                   "Objects or watch events that could not be decoded", labels);
  return m;
}

} // namespace

caf::behavior informer_impl(informer_actor_ptr self, informer_config cfg) {
  self->state.cfg = std::move(cfg);
  self->set_telemetry_cluster(self->state.cfg.cluster_id);
  self->state.metrics = make_informer_metrics(self->state.cfg);
  self->state.core = kube::reflector{self->state.cfg.reflector};
  for (auto& key : self->state.cfg.known_keys)
    self->state.core.assume_known(std::move(key));
  self->state.cfg.known_keys = {}; // the reflector has them now
  self->state.core.resume_from(std::move(self->state.cfg.known_resource_version));
  informer_shell{self}.apply(self->state.core.start(std::chrono::steady_clock::now()));
  self->delayed_send(self, self->state.cfg.liveness_interval, atom::tick_v);
  return {
      [=](const messages::list_result& r) {
        if (r.request == self->state.ticket)
          informer_shell{self}.on_list(r.end);
      },
      [=](const messages::watch_data& d) {
        if (d.request == self->state.ticket)
          informer_shell{self}.on_watch_bytes(d.bytes);
      },
      [=](const messages::watch_end& e) {
        if (e.request == self->state.ticket)
          informer_shell{self}.on_watch_end(e.end);
      },
      [=](atom::timer, uint64_t generation) {
        if (generation != self->state.timer_generation)
          return; // a stale timer (delayed_send cannot be cancelled)
        informer_shell{self}.apply(
            self->state.core.on_timer(std::chrono::steady_clock::now(), self->state.random01()));
      },
      [=](atom::tick) {
        auto& st = self->state;
        if (auto dead = st.core.check_liveness(std::chrono::steady_clock::now(), st.random01()))
          informer_shell{self}.fail_with(std::move(*dead), kube::failure_kind::watch_silent,
                                         "no event or bookmark within the idle timeout");
        self->delayed_send(self, st.cfg.liveness_interval, atom::tick_v);
      },
  };
}

} // namespace ambient::actors

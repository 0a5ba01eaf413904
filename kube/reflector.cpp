#include "kube/reflector.hpp"

namespace ambient::kube {

const char* to_string(failure_kind k) {
  switch (k) {
    case failure_kind::expired:
      return "expired";
    case failure_kind::throttled:
      return "throttled";
    case failure_kind::server:
      return "server_error";
    case failure_kind::connection:
      return "connection";
    case failure_kind::unauthorized:
      return "unauthorized";
    case failure_kind::malformed:
      return "malformed";
    case failure_kind::watch_silent:
      return "watch_silent";
    case failure_kind::not_served:
      return "not_served";
  }
  return "unknown";
}

reflector::reflector(reflector_config cfg)
  : cfg_(cfg), backoff_(cfg.retry), connect_backoff_(cfg.connect_retry) {
  // nop
}

reflector_step reflector::begin_list(std::string rv, bool paged) {
  phase_ = phase::listing;
  seen_in_list_.clear();
  current_list_ = do_list{std::move(rv), paged ? cfg_.page_size : 0, {}};
  return {{}, current_list_, false};
}

reflector_step reflector::begin_watch(time_point now, double random01) {
  phase_ = phase::watching;
  last_activity_ = now;
  auto span = (cfg_.max_watch_timeout - cfg_.min_watch_timeout).count();
  auto timeout
      = cfg_.min_watch_timeout.count() + static_cast<int64_t>(static_cast<double>(span) * random01);
  return {{}, do_watch{last_rv_, static_cast<int>(timeout)}, false};
}

reflector_step reflector::start(time_point) {
  // Resuming an earlier reflector's collection: no older than what it had reached, as a relist.
  if (!last_rv_.empty())
    return begin_list(last_rv_, false);
  // client-go lists at "0" first: any version is fine, the API server may answer from its cache.
  return begin_list("0", false);
}

reflector_step reflector::on_list_page(list_page page, time_point now, double random01) {
  reflector_step step;
  if (phase_ != phase::listing)
    return step; // a late page of an abandoned list
  for (auto& item : page.items) {
    seen_in_list_.insert(item.key);
    auto it = known_.find(item.key);
    if (it == known_.end()) {
      known_.emplace(item.key, item.resource_version);
      step.deltas.push_back(
          {change::added, item.key, item.resource_version, std::move(item.object)});
    } else if (it->second != item.resource_version) {
      it->second = item.resource_version;
      step.deltas.push_back(
          {change::modified, item.key, item.resource_version, std::move(item.object)});
    }
  }
  if (!page.continue_token.empty()) {
    current_list_.continue_token = page.continue_token;
    step.next = current_list_;
    return step;
  }
  // The list is complete: what we knew and the server no longer has was deleted meanwhile.
  for (auto it = known_.begin(); it != known_.end();) {
    if (!seen_in_list_.contains(it->first)) {
      step.deltas.push_back({change::deleted, it->first, it->second, {}});
      it = known_.erase(it);
    } else {
      ++it;
    }
  }
  seen_in_list_.clear();
  last_rv_ = page.resource_version;
  rv_expired_ = false;
  not_served_ = false;
  if (!synced_) {
    synced_ = true;
    step.synced_now = true;
  }
  auto w = begin_watch(now, random01);
  step.next = w.next;
  return step;
}

reflector_step reflector::on_event(change ev, time_point now) {
  reflector_step step;
  if (phase_ != phase::watching)
    return step; // an event from a watch we already gave up on
  last_activity_ = now;
  if (!ev.resource_version.empty())
    last_rv_ = ev.resource_version;
  if (ev.type == change::deleted) {
    if (known_.erase(ev.key) > 0) {
      ev.object.reset();
      step.deltas.push_back(std::move(ev));
    }
    return step;
  }
  auto it = known_.find(ev.key);
  if (it == known_.end()) {
    known_.emplace(ev.key, ev.resource_version);
    ev.type = change::added;
    step.deltas.push_back(std::move(ev));
  } else if (it->second != ev.resource_version) {
    it->second = ev.resource_version;
    ev.type = change::modified;
    step.deltas.push_back(std::move(ev));
  }
  return step;
}

reflector_step reflector::on_bookmark(std::string resource_version, time_point now) {
  if (phase_ != phase::watching)
    return {};
  last_activity_ = now;
  if (!resource_version.empty())
    last_rv_ = std::move(resource_version);
  return {};
}

reflector_step reflector::on_watch_end(time_point now, double random01) {
  if (phase_ != phase::watching)
    return {};
  // A clean end (the server's timeout) is routine: watch again from where we are.
  return begin_watch(now, random01);
}

reflector_step reflector::on_failure(failure_kind why, time_point now, double random01) {
  if (phase_ == phase::waiting || phase_ == phase::idle)
    return {};
  bool was_watching = phase_ == phase::watching;
  switch (why) {
    case failure_kind::expired:
      // Our version is gone from the server's history: relist from scratch, paged.
      rv_expired_ = true;
      relist_after_wait_ = true;
      break;
    case failure_kind::throttled:
    case failure_kind::connection:
    case failure_kind::server:
      // Transient: resume what we were doing (a watch resumes from the last version).
      relist_after_wait_ = !was_watching || !synced_;
      break;
    case failure_kind::watch_silent:
      // A watch nothing arrives on may be one the server will never feed: from a version it has
      // not reached (a cluster restored from a backup) a watch is accepted and stays silent, and
      // resuming it would stay silent for ever. A relist at the last version (unpaged, from the
      // watch cache) either succeeds, and the watch restarts from its version, or is refused as
      // too large, which relists from "". (client-go has no idle timeout and waits out its
      // watch's 5 to 10 minute timeout, then watches from the same version again.)
      relist_after_wait_ = true;
      break;
    case failure_kind::unauthorized:
    case failure_kind::malformed:
    case failure_kind::not_served:
      // We may have missed or mis-read an event, or the type is gone: relist to converge on the
      // server's truth (a relist answered 404 then counts the collection as empty).
      relist_after_wait_ = true;
      break;
  }
  phase_ = phase::waiting;
  auto& b = why == failure_kind::connection ? connect_backoff_ : backoff_;
  return {{}, do_wait{b.next(now, random01)}, false};
}

reflector_step reflector::on_not_served(time_point) {
  reflector_step step;
  if (phase_ != phase::listing)
    return step; // the answer to a list we already gave up on
  for (const auto& [key, rv] : known_)
    step.deltas.push_back({change::deleted, key, rv, {}});
  known_.clear();
  seen_in_list_.clear();
  last_rv_.clear();
  rv_expired_ = false;
  relist_after_wait_ = true;
  not_served_ = true;
  if (!synced_) {
    synced_ = true;
    step.synced_now = true;
  }
  phase_ = phase::waiting;
  step.next = do_wait{cfg_.not_served_recheck};
  return step;
}

reflector_step reflector::on_timer(time_point now, double random01) {
  if (phase_ != phase::waiting)
    return {};
  if (!relist_after_wait_ && synced_)
    return begin_watch(now, random01);
  if (!not_served_) // checking again for a type that is not served is not a relist
    ++relists_;
  if (rv_expired_)
    return begin_list("", true);
  // client-go relists at the last synced version, or "0" if there is none yet, and unpaged: a list
  // at a version with no limit is answered from the API server's watch cache with any state at
  // least that new. A paged one would be an exact read of that version from etcd (410 once it is
  // compacted), and its continued pages could not name the version (the server refuses both).
  return begin_list(last_rv_.empty() ? "0" : last_rv_, false);
}

std::optional<reflector_step> reflector::check_liveness(time_point now, double random01) {
  if (phase_ != phase::watching || now - last_activity_ <= cfg_.idle_timeout)
    return std::nullopt;
  return on_failure(failure_kind::watch_silent, now, random01);
}

} // namespace ambient::kube

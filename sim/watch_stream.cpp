#include "sim/api_session.hpp"

#include "base/net_names.hpp"

#include <algorithm>
#include <cstdio>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

namespace ambient::sim {

using namespace base::net_names;

void api_session::on_event(const watch_event& e) {
  queued_event q{e.object->resource_version, watch_event_json(e)};
  {
    std::lock_guard guard{queue_mutex_};
    pending_.push_back(std::move(q));
  }
  asio::post(stream_.get_executor(), [weak = weak_from_this()] {
    if (auto self = weak.lock())
      self->flush();
  });
}

void api_session::start_watch(watch_request w) {
  rt_ = w.resource;
  bookmarks_ = w.allow_bookmarks;
  if (w.timeout.count() > 0)
    deadline_ = std::chrono::steady_clock::now() + w.timeout;
  // Watches live long: no idle deadline on the socket; the tick below ends them when due.
  beast::get_lowest_layer(stream_).expires_never();
  std::string head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                     "Cache-Control: no-cache, private\r\nTransfer-Encoding: chunked\r\n\r\n";
  if (fault_state::take(server_->faults->expire_next_watches)) {
    api_error gone{410,
                   "Expired",
                   "too old resource version: " + w.resource_version + " (injected by kube-sim)",
                   {},
                   {}};
    write_raw(head + chunk(error_event_json(gone)) + "0\r\n\r\n", true);
    return;
  }
  auto started
      = server_->data->watch(*w.resource, w.filter, w.resource_version, shared_from_this());
  if (started.error) {
    if (started.error->code == 410) {
      // As the API server does: the watch opens, then one ERROR event ends it.
      write_raw(head + chunk(error_event_json(*started.error)) + "0\r\n\r\n", true);
    } else {
      keep_alive_ = false;
      respond(error_response(*started.error));
    }
    return;
  }
  watch_id_ = started.watch_id;
  server_->watches.fetch_add(1);
  {
    std::lock_guard guard{queue_mutex_};
    std::deque<queued_event> backlog;
    for (const auto& e : started.backlog)
      backlog.push_back({e.object->resource_version, watch_event_json(e)});
    // Events that raced in after registration come after the backlog.
    for (auto& p : pending_)
      backlog.push_back(std::move(p));
    pending_ = std::move(backlog);
  }
  if (bookmarks_ && (w.resource_version.empty() || w.resource_version == "0"))
    pending_bookmark_ = true; // initial-events-end marker after the synthetic ADDEDs
  last_bookmark_ = std::chrono::steady_clock::now();
  write_raw(std::move(head), false);
  tick();
}

std::string api_session::chunk(const std::string& line) {
  char size[20];
  auto n = std::snprintf(size, sizeof size, "%zx\r\n", line.size() + 1);
  std::string out;
  out.reserve(line.size() + static_cast<size_t>(n) + 4);
  out.append(size, static_cast<size_t>(n));
  out += line;
  out += "\n\r\n";
  return out;
}

void api_session::write_raw(std::string bytes, bool close_after) {
  out_.push_back(std::move(bytes));
  close_after_ = close_after_ || close_after;
  if (!writing_)
    write_next();
}

void api_session::write_next() {
  if (out_.empty()) {
    writing_ = false;
    if (close_after_)
      shutdown();
    return;
  }
  writing_ = true;
  current_ = std::move(out_.front());
  out_.pop_front();
  asio::async_write(stream_, asio::buffer(current_),
                    [self = shared_from_this()](beast::error_code ec, size_t) {
                      if (ec) {
                        beast::get_lowest_layer(self->stream_).close();
                        return;
                      }
                      self->write_next();
                    });
}

void api_session::flush() {
  if (watch_id_ == 0 || close_after_)
    return;
  if (server_->faults->stall_watches.load()) {
    std::lock_guard guard{queue_mutex_};
    if (!pending_.empty())
      server_->faults->stalled_flushes.fetch_add(1);
    return;
  }
  // A bookmark promises that every event up to its version has been sent, so a client that
  // resumes from it misses nothing. The store queues an event to its watches under the same
  // lock that guards its version, so every event of this watch up to the version read here is
  // already queued, and the swap below takes it.
  uint64_t store_version = server_->data->resource_version();
  std::deque<queued_event> lines;
  {
    std::lock_guard guard{queue_mutex_};
    lines.swap(pending_);
  }
  std::string batch;
  uint64_t sent_version = store_version;
  for (auto& l : lines) {
    sent_version = std::max(sent_version, l.resource_version);
    if (fault_state::take(server_->faults->malformed_next_events))
      batch += chunk(R"({"type":"MODIFIED","object":{"kind":)"
                     "\x01garbage");
    else
      batch += chunk(l.line);
  }
  if (pending_bookmark_ && bookmarks_) {
    // Not the store's version now: an event queued after the swap would be older than it
    // and still unsent, and a watch cut after this bookmark would never deliver it.
    batch += chunk(bookmark_event_json(*rt_, sent_version));
    pending_bookmark_ = false;
    last_bookmark_ = std::chrono::steady_clock::now();
  }
  if (!batch.empty())
    write_raw(std::move(batch), false);
}

void api_session::tick() {
  auto now = std::chrono::steady_clock::now();
  if (deadline_ && now >= *deadline_) {
    flush();
    write_raw("0\r\n\r\n", true);
    return;
  }
  if (bookmarks_ && now - last_bookmark_ >= server_->opts.bookmark_interval)
    pending_bookmark_ = true;
  flush();
  timer_.expires_after(std::chrono::milliseconds{
      std::min<int64_t>(1000, std::max<int64_t>(10, server_->opts.bookmark_interval.count()))});
  // The pending tick is what keeps a watch session alive; close() cancels it.
  timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (!ec && beast::get_lowest_layer(self->stream_).socket().is_open())
      self->tick();
  });
}

} // namespace ambient::sim

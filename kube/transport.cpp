#include "kube/transport.hpp"

#include <algorithm>
#include <atomic>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include <curl/curl.h>

#include "kube/curl_request.hpp"
#include "kube/transport_client.hpp"

namespace ambient::kube {

namespace {

using steady = std::chrono::steady_clock;

} // namespace

struct transport::impl {
  impl() {
    multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
    thread = std::thread([this] { run(); });
  }

  ~impl() {
    {
      std::lock_guard guard{mutex};
      stopping = true;
    }
    curl_multi_wakeup(multi);
    thread.join();
    curl_multi_cleanup(multi);
  }

  void launch(std::unique_ptr<request_state> r, client_state& c) {
    prepare(*r, c);
    curl_multi_add_handle(multi, r->easy);
    running.emplace(r->id, std::move(r));
  }

  void finish(request_state& r, response_end end) {
    release(r, multi);
    if (r.on_done)
      r.on_done(std::move(end));
  }

  /// Moves new requests and cancellations from the inbox; launches those with a token.
  steady::time_point admit(steady::time_point now) {
    std::deque<std::unique_ptr<request_state>> incoming;
    std::vector<request_id> cancels;
    std::vector<client_id> removed;
    {
      std::lock_guard guard{mutex};
      incoming.swap(inbox);
      cancels.swap(cancel_inbox);
      removed.swap(removed_inbox);
    }
    for (auto& r : incoming)
      waiting.push_back(std::move(r));
    for (auto c : removed)
      for (auto& [id, r] : running)
        if (r->client == c)
          cancels.push_back(id);
    for (auto id : cancels) {
      auto w = std::find_if(waiting.begin(), waiting.end(), [&](auto& r) { return r->id == id; });
      if (w != waiting.end()) {
        auto r = std::move(*w);
        waiting.erase(w);
        finish(*r, {0, {}, "cancelled", true});
        continue;
      }
      if (auto it = running.find(id); it != running.end()) {
        auto r = std::move(it->second);
        running.erase(it);
        finish(*r, {0, {}, "cancelled", true});
      }
    }
    auto next_wake = now + std::chrono::seconds{1};
    for (auto it = waiting.begin(); it != waiting.end();) {
      // Decide under the lock; launch and call back outside it (callbacks may start requests).
      std::optional<client_state> snapshot;
      bool missing = false;
      {
        std::lock_guard guard{mutex};
        auto c = clients.find((*it)->client);
        if (c == clients.end())
          missing = true;
        else if (c->second.bucket.take(now)) {
          c->second.refresh_token(now);
          snapshot = c->second;
        } else
          next_wake = std::min(next_wake, now + c->second.bucket.wait_time());
      }
      if (!missing && !snapshot) {
        ++it;
        continue;
      }
      auto r = std::move(*it);
      it = waiting.erase(it);
      if (missing)
        finish(*r, {0, {}, "client removed", true});
      else
        launch(std::move(r), *snapshot);
    }
    return next_wake;
  }

  void run() {
    for (;;) {
      {
        std::lock_guard guard{mutex};
        if (stopping)
          break;
      }
      auto wake = admit(steady::now());
      int still = 0;
      curl_multi_perform(multi, &still);
      int left = 0;
      while (CURLMsg* m = curl_multi_info_read(multi, &left)) {
        if (m->msg != CURLMSG_DONE)
          continue;
        request_state* raw = nullptr;
        curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &raw);
        auto it = running.find(raw->id);
        if (it == running.end())
          continue;
        auto r = std::move(it->second);
        running.erase(it);
        finish(*r, end_of(*r, m->data.result));
      }
      auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(wake - steady::now());
      curl_multi_poll(multi, nullptr, 0,
                      static_cast<int>(std::clamp<int64_t>(timeout.count(), 1, 1000)), nullptr);
    }
    // Shutdown: everything still open ends as cancelled.
    for (auto& [id, r] : running)
      finish(*r, {0, {}, "transport stopped", true});
    running.clear();
    for (auto& r : waiting)
      finish(*r, {0, {}, "transport stopped", true});
    waiting.clear();
    std::deque<std::unique_ptr<request_state>> late;
    {
      std::lock_guard guard{mutex};
      late.swap(inbox);
    }
    for (auto& r : late)
      finish(*r, {0, {}, "transport stopped", true});
  }

  CURLM* multi = nullptr;
  std::thread thread;
  mutable std::mutex mutex; // guards the fields below up to `running`
  bool stopping = false;
  std::map<client_id, client_state> clients;
  std::deque<std::unique_ptr<request_state>> inbox;
  std::vector<request_id> cancel_inbox;
  std::vector<client_id> removed_inbox;
  std::atomic<uint64_t> next_id{1};
  std::atomic<size_t> count{0};
  // transport thread only:
  std::deque<std::unique_ptr<request_state>> waiting;
  std::map<request_id, std::unique_ptr<request_state>> running;
};

transport::transport() : impl_(std::make_unique<impl>()) {
  // nop
}

transport::~transport() = default;

transport::client_id transport::add_client(connection_settings settings, client_limits limits) {
  auto id = impl_->next_id.fetch_add(1);
  client_state c{std::move(settings),
                 limits,
                 token_bucket{limits.qps, static_cast<double>(limits.burst),
                              static_cast<double>(limits.burst), steady::now()},
                 {},
                 {},
                 {}};
  c.set_token(c.settings.token);
  c.refresh_token(steady::now(), true); // a token file is read now, then every token_file_refresh
  c.host_port = host_port_of(c.settings.server);
  std::lock_guard guard{impl_->mutex};
  impl_->clients.emplace(id, std::move(c));
  return id;
}

void transport::remove_client(client_id c) {
  {
    std::lock_guard guard{impl_->mutex};
    impl_->clients.erase(c);
    impl_->removed_inbox.push_back(c);
  }
  curl_multi_wakeup(impl_->multi);
}

transport::request_id transport::start(client_id c, std::string method, std::string path,
                                       std::string body, data_fn on_data, done_fn on_done) {
  auto r = std::make_unique<request_state>();
  r->id = impl_->next_id.fetch_add(1);
  r->client = c;
  r->method = std::move(method);
  r->path = std::move(path);
  r->body = std::move(body);
  r->on_data = std::move(on_data);
  auto* counter = &impl_->count;
  counter->fetch_add(1);
  r->on_done = [counter, done = std::move(on_done)](response_end end) {
    counter->fetch_sub(1);
    if (done)
      done(std::move(end));
  };
  auto id = r->id;
  {
    std::lock_guard guard{impl_->mutex};
    impl_->inbox.push_back(std::move(r));
  }
  curl_multi_wakeup(impl_->multi);
  return id;
}

void transport::cancel(request_id r) {
  {
    std::lock_guard guard{impl_->mutex};
    impl_->cancel_inbox.push_back(r);
  }
  curl_multi_wakeup(impl_->multi);
}

size_t transport::in_flight() const {
  return impl_->count.load();
}

} // namespace ambient::kube

#include "kube/transport.hpp"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include <curl/curl.h>

namespace ambient::kube {

namespace {

using steady = std::chrono::steady_clock;

/// A token bucket: `qps` tokens a second, at most `burst` saved up.
struct token_bucket {
  double qps;
  double burst;
  double tokens;
  steady::time_point last;
  bool take(steady::time_point now) {
    tokens = std::min(burst, tokens + std::chrono::duration<double>(now - last).count() * qps);
    last = now;
    if (tokens < 1.0)
      return false;
    tokens -= 1.0;
    return true;
  }
  std::chrono::milliseconds wait_time() const {
    return std::chrono::milliseconds{static_cast<int64_t>((1.0 - tokens) / qps * 1000.0) + 1};
  }
};

struct client_state {
  connection_settings settings;
  client_limits limits;
  token_bucket bucket;
  std::string auth_header;
  std::string host_port;                            ///< host:port of the server URL, for CONNECT_TO
  std::chrono::steady_clock::time_point token_read; ///< when token_file was last read

  void set_token(std::string token) {
    settings.token = std::move(token);
    auth_header = settings.token.empty() ? "" : "Authorization: Bearer " + settings.token;
  }
  /// Re-reads the token file when it is due; a file that cannot be read keeps the last token.
  void refresh_token(std::chrono::steady_clock::time_point now, bool force = false) {
    if (settings.token_file.empty() || (!force && now - token_read < limits.token_file_refresh))
      return;
    token_read = now;
    if (auto t = read_file(settings.token_file)) {
      while (!t->empty() && (t->back() == '\n' || t->back() == '\r' || t->back() == ' '))
        t->pop_back();
      set_token(std::move(*t));
    }
  }
};

struct request_state {
  transport::request_id id = 0;
  transport::client_id client = 0;
  std::string method, path, body;
  transport::data_fn on_data;
  transport::done_fn on_done;
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  curl_slist* connect_to = nullptr;
  std::string collected;
  bool too_large = false;
  size_t max_bytes = 0;
  bool stream_opened = false; ///< on_data was told the 2xx headers are in
};

std::string host_port_of(const std::string& url) {
  auto start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  auto end = url.find('/', start);
  return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

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

  static size_t on_write(char* data, size_t, size_t n, void* user) {
    auto* r = static_cast<request_state*>(user);
    long status = 0;
    curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
    if (r->on_data && status >= 200 && status < 300) {
      r->on_data(std::string_view{data, n});
      return n;
    }
    if (r->collected.size() + n > r->max_bytes) {
      r->too_large = true;
      return 0; // aborts the transfer
    }
    r->collected.append(data, n);
    return n;
  }

  /// For streams: once a 2xx response's headers are complete (the blank line), tells on_data
  /// with an empty chunk, so a watch that carries no event yet still counts as open.
  static size_t on_header(char* data, size_t, size_t n, void* user) {
    auto* r = static_cast<request_state*>(user);
    if (n <= 2 && !r->stream_opened && r->on_data
        && (n == 0 || data[0] == '\r' || data[0] == '\n')) {
      long status = 0;
      curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
      if (status >= 200 && status < 300) {
        r->stream_opened = true;
        r->on_data(std::string_view{});
      }
    }
    return n;
  }

  void launch(std::unique_ptr<request_state> r, client_state& c) {
    r->easy = curl_easy_init();
    CURL* e = r->easy;
    std::string host = c.host_port;
    std::string url = c.settings.server + r->path;
    if (!c.settings.tls_server_name.empty()) {
      // Verify (and send SNI for) the configured name while connecting to the URL's address.
      auto port = host.substr(host.rfind(':') + 1);
      auto at = url.find(host);
      url.replace(at, host.size(), c.settings.tls_server_name + ":" + port);
      r->connect_to = curl_slist_append(
          nullptr, (c.settings.tls_server_name + ":" + port + ":" + host).c_str());
      curl_easy_setopt(e, CURLOPT_CONNECT_TO, r->connect_to);
    }
    curl_easy_setopt(e, CURLOPT_URL, url.c_str());
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r->method.c_str());
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS);
    curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(c.limits.connect_timeout.count()));
    if (!r->on_data)
      curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(c.limits.request_timeout.count()));
    if (c.settings.insecure_skip_tls_verify) {
      curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
    } else if (!c.settings.ca_pem.empty()) {
      curl_blob ca{c.settings.ca_pem.data(), c.settings.ca_pem.size(), CURL_BLOB_COPY};
      curl_easy_setopt(e, CURLOPT_CAINFO_BLOB, &ca);
    }
    if (!c.settings.client_cert_pem.empty()) {
      curl_blob cert{c.settings.client_cert_pem.data(), c.settings.client_cert_pem.size(),
                     CURL_BLOB_COPY};
      curl_blob key{c.settings.client_key_pem.data(), c.settings.client_key_pem.size(),
                    CURL_BLOB_COPY};
      curl_easy_setopt(e, CURLOPT_SSLCERT_BLOB, &cert);
      curl_easy_setopt(e, CURLOPT_SSLCERTTYPE, "PEM");
      curl_easy_setopt(e, CURLOPT_SSLKEY_BLOB, &key);
      curl_easy_setopt(e, CURLOPT_SSLKEYTYPE, "PEM");
    }
    r->headers = curl_slist_append(r->headers, "Accept: application/json");
    r->headers = curl_slist_append(r->headers, "User-Agent: ambientd");
    if (!c.auth_header.empty())
      r->headers = curl_slist_append(r->headers, c.auth_header.c_str());
    if (!r->body.empty() || r->method == "POST" || r->method == "PUT" || r->method == "PATCH") {
      r->headers = curl_slist_append(r->headers, r->method == "PATCH"
                                                     ? "Content-Type: application/merge-patch+json"
                                                     : "Content-Type: application/json");
      curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->body.c_str());
      curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, static_cast<long>(r->body.size()));
    }
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->headers);
    r->max_bytes = c.limits.max_response_bytes;
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &impl::on_write);
    if (r->on_data) {
      curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &impl::on_header);
      curl_easy_setopt(e, CURLOPT_HEADERDATA, r.get());
    }
    curl_easy_setopt(e, CURLOPT_WRITEDATA, r.get());
    curl_easy_setopt(e, CURLOPT_PRIVATE, r.get());
    curl_multi_add_handle(multi, e);
    running.emplace(r->id, std::move(r));
  }

  void finish(request_state& r, response_end end) {
    if (r.easy != nullptr) {
      curl_multi_remove_handle(multi, r.easy);
      curl_easy_cleanup(r.easy);
      r.easy = nullptr;
    }
    curl_slist_free_all(r.headers);
    curl_slist_free_all(r.connect_to);
    r.headers = r.connect_to = nullptr;
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
        response_end end;
        long status = 0;
        curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
        if (m->data.result == CURLE_OK) {
          end.status = static_cast<int>(status);
        } else if (r->too_large) {
          end.error = "response larger than " + std::to_string(r->max_bytes) + " bytes";
        } else {
          end.error = curl_easy_strerror(m->data.result);
          // A stream cut after a 2xx header is an HTTP-level end with a transport error.
          end.status = status >= 200 && status < 300 && r->on_data ? static_cast<int>(status) : 0;
        }
        end.body = std::move(r->collected);
        finish(*r, std::move(end));
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

std::variant<connection_settings, kubeconfig_error> to_connection_settings(const rest_config& rc) {
  auto refuse = [&](const char* what) {
    return kubeconfig_error{"context " + rc.context_name + ": " + what
                            + " credentials are allowed by policy but not supported by ambientd's "
                              "transport; use inline data"};
  };
  if (rc.uses_exec)
    return refuse("exec");
  if (rc.uses_auth_provider)
    return refuse("auth-provider");
  connection_settings out{rc.server,          rc.ca_pem, rc.insecure_skip_tls_verify,
                          rc.tls_server_name, rc.token,  rc.client_cert_pem,
                          rc.client_key_pem,  {}};
  auto load = [&](const std::string& path, std::string& into,
                  const char* what) -> std::optional<kubeconfig_error> {
    if (path.empty())
      return std::nullopt;
    auto data = read_file(path);
    if (!data)
      return kubeconfig_error{"context " + rc.context_name + ": cannot read " + what + " file "
                              + path};
    into = std::move(*data);
    return std::nullopt;
  };
  std::string token_now;
  for (auto err : {load(rc.ca_file, out.ca_pem, "certificate-authority"),
                   load(rc.client_cert_file, out.client_cert_pem, "client-certificate"),
                   load(rc.client_key_file, out.client_key_pem, "client-key"),
                   load(rc.token_file, token_now, "tokenFile")})
    if (err)
      return *err;
  if (!rc.token_file.empty()) {
    out.token_file = rc.token_file; // read in add_client, and again when it rotates
    out.token.clear();
  }
  return out;
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return std::nullopt;
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad())
    return std::nullopt;
  return std::move(buf).str();
}

std::optional<std::variant<rest_config, kubeconfig_error>>
in_cluster_config(const std::string& sa_dir) {
  const char* host = std::getenv("KUBERNETES_SERVICE_HOST");
  const char* port = std::getenv("KUBERNETES_SERVICE_PORT");
  if (host == nullptr || *host == '\0')
    return std::nullopt;
  if (port == nullptr || *port == '\0')
    return kubeconfig_error{"in-cluster: KUBERNETES_SERVICE_HOST is set but "
                            "KUBERNETES_SERVICE_PORT is not"};
  std::string h = host;
  if (h.find(':') != std::string::npos)
    h = "[" + h + "]"; // an IPv6 service address
  rest_config rc;
  rc.server = "https://" + h + ":" + port;
  rc.token_file = sa_dir + "/token";
  rc.ca_file = sa_dir + "/ca.crt";
  rc.context_name = "in-cluster";
  rc.default_namespace = "default";
  for (const auto& f : {rc.token_file, rc.ca_file})
    if (!read_file(f))
      return kubeconfig_error{"in-cluster: cannot read service account file " + f};
  return rc;
}

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

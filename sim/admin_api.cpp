#include "sim/admin_api.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "sim/api_handler.hpp"

namespace ambient::sim {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

std::optional<int64_t> to_int(const std::map<std::string, std::string>& q, const char* key,
                              int64_t fallback) {
  auto it = q.find(key);
  if (it == q.end())
    return fallback;
  int64_t v = 0;
  auto [p, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
  if (ec != std::errc{} || p != it->second.data() + it->second.size())
    return std::nullopt;
  return v;
}

admin_api::response text(int status, std::string message) {
  auto body = R"({"message":)" + dump_json(message) + "}";
  return {status, body, "application/json"};
}

} // namespace

/// A minimal HTTP/1.1 server, one request per connection.
struct admin_api::server : std::enable_shared_from_this<admin_api::server> {
  server(asio::io_context& io, admin_api& api_) : acceptor(io), api(api_) {
    // nop
  }
  void accept() {
    acceptor.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket sock) {
      if (ec)
        return;
      auto conn = std::make_shared<connection>(std::move(sock), self);
      conn->start();
      self->accept();
    });
  }
  struct connection : std::enable_shared_from_this<connection> {
    connection(tcp::socket s, std::shared_ptr<server> srv) : stream(std::move(s)), owner(srv) {
      // nop
    }
    void start() {
      stream.expires_after(std::chrono::seconds{30});
      http::async_read(stream, buf, req, [self = shared_from_this()](beast::error_code ec, size_t) {
        if (ec)
          return;
        auto r = self->owner->api.handle(std::string{self->req.method_string()},
                                         std::string{self->req.target()});
        self->res.result(static_cast<http::status>(r.status));
        self->res.set(http::field::content_type, r.content_type);
        self->res.body() = std::move(r.body);
        self->res.keep_alive(false);
        self->res.prepare_payload();
        http::async_write(self->stream, self->res, [self](beast::error_code, size_t) {
          beast::error_code ignored;
          self->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
        });
      });
    }
    beast::tcp_stream stream;
    beast::flat_buffer buf;
    http::request<http::string_body> req;
    http::response<http::string_body> res;
    std::shared_ptr<server> owner;
  };
  tcp::acceptor acceptor;
  admin_api& api;
};

admin_api::admin_api(fleet& f) : fleet_(f) {
  // nop
}

admin_api::~admin_api() {
  if (server_) {
    beast::error_code ec;
    server_->acceptor.close(ec);
  }
  std::lock_guard guard{mutex_};
  churn_.clear();
  stamped_.clear();
}

uint16_t admin_api::listen(uint16_t port) {
  server_ = std::make_shared<server>(fleet_.io(), *this);
  tcp::endpoint ep{asio::ip::make_address("127.0.0.1"), port};
  server_->acceptor.open(ep.protocol());
  server_->acceptor.set_option(asio::socket_base::reuse_address(true));
  server_->acceptor.bind(ep);
  server_->acceptor.listen();
  server_->accept();
  return server_->acceptor.local_endpoint().port();
}

std::string admin_api::fleet_json() {
  std::string out = R"({"clusters":[)";
  const auto* pods = find_resource("", "v1", "pods");
  for (size_t i = 0; i < fleet_.size(); ++i) {
    auto& c = fleet_.cluster(i);
    if (i)
      out += ',';
    out += R"({"name":)" + dump_json(c.name()) + R"(,"server":")" + c.server_url()
           + R"(","kubeconfig":)" + dump_json(c.kubeconfig_path());
    out += R"(,"up":)" + std::string{c.is_up() ? "true" : "false"} + R"(,"watches":)"
           + std::to_string(c.server().open_watches()) + R"(,"pods":)"
           + std::to_string(c.data().object_count(*pods)) + R"(,"resourceVersion":")"
           + std::to_string(c.data().resource_version()) + "\"}";
  }
  out += "]}";
  return out;
}

std::string admin_api::stamps_text(const std::string& cluster_and_tag) {
  std::lock_guard guard{mutex_};
  std::string out;
  if (auto it = stamped_.find(cluster_and_tag); it != stamped_.end() && it->second)
    for (const auto& s : it->second->stamps())
      out += std::to_string(s.n) + " " + std::to_string(s.at_ns) + "\n";
  return out;
}

admin_api::response admin_api::handle(const std::string& method, const std::string& target) {
  try {
    auto qpos = target.find('?');
    std::string path = target.substr(0, qpos);
    auto q = parse_query(qpos == std::string::npos ? std::string_view{}
                                                   : std::string_view{target}.substr(qpos + 1));
    if (!q)
      return text(400, "malformed query string");
    if (path == "/fleet" && method == "GET")
      return {200, fleet_json(), "application/json"};
    if (!path.starts_with("/clusters/"))
      return text(404, "unknown path " + path);
    auto rest = path.substr(10);
    auto slash = rest.find('/');
    if (slash == std::string::npos)
      return text(404, "expected /clusters/<name>/<action>");
    auto name = rest.substr(0, slash);
    auto action = rest.substr(slash + 1);
    auto* c = fleet_.find(name);
    if (c == nullptr)
      return text(404, "no cluster named " + name);
    if (action == "kubeconfig" && method == "GET")
      return {200, c->kubeconfig(), "application/yaml"};
    if (action == "stamps" && method == "GET") {
      auto tag = q->find("tag");
      return {200, stamps_text(c->name() + "/" + (tag == q->end() ? "t" : tag->second)),
              "text/plain"};
    }
    if (method != "POST")
      return text(405, action + " takes POST");
    return act(*c, action, *q);
  } catch (const std::exception& e) {
    return text(500, e.what());
  }
}

admin_api::response admin_api::act(sim_cluster& c, const std::string& action,
                                   const std::map<std::string, std::string>& q) {
  auto& f = c.faults();
  auto bad = [&](const char* what) {
    return text(400, std::string{"bad parameter: "} + what);
  };
  if (action == "down") {
    c.down();
  } else if (action == "up") {
    c.up();
  } else if (action == "fail") {
    auto count = to_int(q, "count", 1);
    auto code = to_int(q, "code", 500);
    if (!count || !code || (*code != 500 && *code != 429 && *code != 503))
      return bad("count (number), code (500, 503 or 429)");
    f.fail_code = static_cast<int>(*code);
    f.fail_next = static_cast<int>(*count);
  } else if (action == "stall-watches") {
    auto on = q.contains("on") ? q.at("on") : "true";
    if (on != "true" && on != "false")
      return bad("on (true or false)");
    f.stall_watches = on == "true";
  } else if (action == "cut-watches") {
    c.cut_watches();
  } else if (action == "expire-watches") {
    auto count = to_int(q, "count", 1);
    if (!count)
      return bad("count");
    f.expire_next_watches = static_cast<int>(*count);
  } else if (action == "compact") {
    c.compact();
  } else if (action == "malformed-events") {
    auto count = to_int(q, "count", 1);
    if (!count)
      return bad("count");
    f.malformed_next_events = static_cast<int>(*count);
  } else if (action == "refuse-list") {
    auto resource = q.contains("resource") ? q.at("resource") : "";
    auto code = to_int(q, "code", 403);
    if (!code || (*code != 0 && *code != 403 && *code != 500))
      return bad("code (403, 500, or 0 to hold the list unanswered)");
    if (!std::all_of(resource.begin(), resource.end(),
                     [](char ch) { return std::islower(static_cast<unsigned char>(ch)); }))
      return bad("resource (a plural such as services; empty clears)");
    f.refuse_lists(resource, static_cast<int>(*code));
  } else if (action == "latency") {
    auto ms = to_int(q, "ms", 0);
    if (!ms || *ms < 0)
      return bad("ms");
    f.latency_ms = static_cast<int>(*ms);
  } else if (action == "gateway-api") {
    auto installed = q.contains("installed") ? q.at("installed") : "true";
    if (installed != "true" && installed != "false")
      return bad("installed (true or false)");
    bool missing = installed == "false";
    // Removing the CRDs ends their watches on a real API server: open watches are cut (the
    // others resume by themselves).
    if (missing && !f.gateway_api_missing.exchange(true))
      c.cut_watches();
    f.gateway_api_missing = missing;
  } else if (action == "rotate-ca") {
    c.rotate_ca();
  } else if (action == "revoke-token") {
    c.revoke_token();
  } else if (action == "seed") {
    workload_shape shape;
    auto ns = to_int(q, "namespaces", shape.namespaces);
    auto nodes = to_int(q, "nodes", shape.nodes);
    auto svcs = to_int(q, "services", shape.services);
    auto pods = to_int(q, "pods", shape.pods);
    if (!ns || !nodes || !svcs || !pods || *ns < 1 || *nodes < 1 || *svcs < 1 || *pods < 0)
      return bad("namespaces, nodes, services (>= 1), pods (>= 0)");
    shape = {static_cast<uint32_t>(*ns), static_cast<uint32_t>(*nodes),
             static_cast<uint32_t>(*svcs), static_cast<uint32_t>(*pods), true};
    uint32_t index = 0;
    for (size_t i = 0; i < fleet_.size(); ++i)
      if (&fleet_.cluster(i) == &c)
        index = static_cast<uint32_t>(i);
    auto seeded = seed_workloads(c.data(), index, shape);
    std::lock_guard guard{mutex_};
    seeds_[c.name()] = std::move(seeded);
  } else if (action == "churn") {
    auto rate = to_int(q, "rate", 0);
    if (!rate || *rate < 0)
      return bad("rate (events per second; 0 stops)");
    std::lock_guard guard{mutex_};
    churn_.erase(c.name());
    if (*rate > 0) {
      auto seed = seeds_.find(c.name());
      if (seed == seeds_.end())
        return text(409, "seed the cluster before churning it");
      auto d = std::make_unique<churn_driver>(c.data(), seed->second, std::random_device{}());
      d->start(static_cast<double>(*rate));
      churn_[c.name()] = std::move(d);
    }
  } else if (action == "stamp") {
    auto rate = to_int(q, "rate", 0);
    if (!rate || *rate < 0)
      return bad("rate (stamped relabels per second; 0 stops)");
    auto tag_it = q.find("tag");
    std::string tag = tag_it == q.end() ? "t" : tag_it->second;
    if (tag.empty() || tag.size() > 20 || !std::all_of(tag.begin(), tag.end(), [](char ch) {
          return std::isalnum(static_cast<unsigned char>(ch));
        }))
      return bad("tag (1 to 20 letters or digits)");
    std::lock_guard guard{mutex_};
    auto seed = seeds_.find(c.name());
    if (seed == seeds_.end())
      return text(409, "seed the cluster before churning it");
    // Every tag's driver of this cluster stops; its stamps stay readable.
    for (auto& [key, driver] : stamped_)
      if (key.rfind(c.name() + "/", 0) == 0)
        driver->stop();
    if (*rate > 0) {
      auto& d = stamped_[c.name() + "/" + tag];
      d = std::make_unique<churn_driver>(c.data(), seed->second, std::random_device{}());
      d->start_stamped(static_cast<double>(*rate),
                       "s" + std::to_string(seed->second.cluster_index) + "-" + tag + "-");
    }
  } else {
    return text(404, "unknown action " + action);
  }
  return text(200, action + " applied to " + c.name());
}

} // namespace ambient::sim

#include "bench/xds/token_cluster.hpp"

#include <fstream>
#include <stdexcept>
#include <variant>

#include <caf/all.hpp>

#include "actors/token_reviewer.hpp"
#include "messages/type_ids.hpp"
#include "sim/api_handler.hpp"
#include "sim/json.hpp"
#include "sim/pki.hpp"

namespace ambient::bench {

namespace {

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out{path};
  out << text;
  if (!out)
    throw std::runtime_error("cannot write " + path);
}

/// Sends one request through kube-sim's API routing (as its HTTPS server does, without the
/// socket) and returns the body; throws unless the status is `want`.
std::string call(sim::sim_cluster& c, const std::string& method, const std::string& target,
                 const std::string& body, int want) {
  sim::api_request req{method, target, "application/json", body};
  auto out = sim::handle_api_request(c.data(), req, c.server_url(), &c.tokens());
  const auto* r = std::get_if<sim::api_response>(&out);
  if (r == nullptr || r->status != want)
    throw std::runtime_error("kube-sim: " + method + " " + target + " answered "
                             + (r ? std::to_string(r->status) + " " + r->body : "a watch"));
  return r->body;
}

} // namespace

token_cluster::token_cluster(caf::actor_system& sys, telemetry::registry& metrics, int ztunnels,
                             const std::string& dir, std::chrono::milliseconds deadline)
  : sys_(sys), metrics_(metrics) {
  sim::fleet_options o;
  o.clusters = 1;
  o.threads = 2;
  fleet_ = std::make_unique<sim::fleet>(o);
  fleet_->start();
  auto& c = fleet_->cluster(0);
  cluster_id_ = c.name();
  const std::string ns = "/api/v1/namespaces/istio-system";
  call(c, "POST", ns + "/serviceaccounts", R"({"metadata":{"name":"ztunnel"}})", 201);
  std::string tokens;
  for (int i = 0; i < ztunnels; ++i) {
    auto pod = "ztunnel-" + std::to_string(i);
    call(c, "POST", ns + "/pods",
         R"({"metadata":{"name":")" + pod
             + R"("},"spec":{"serviceAccountName":"ztunnel","nodeName":"node-)"
             + std::to_string(i % 50) + R"(","containers":[{"name":"c","image":"ztunnel"}]}})",
         201);
    auto body = call(c, "POST", ns + "/serviceaccounts/ztunnel/token",
                     R"({"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","spec":{)"
                     R"("audiences":["istio-ca"],"boundObjectRef":{"kind":"Pod","apiVersion":"v1",)"
                     R"("name":")"
                         + pod + R"("}}})",
                     201);
    auto parsed = sim::parse_json(body, nullptr);
    if (!parsed)
      throw std::runtime_error("kube-sim: a TokenRequest's answer is not JSON");
    tokens += parsed->at("status").at("token").get<std::string>() + "\n";
  }
  tokens_file_ = dir + "/tokens";
  write_file(tokens_file_, tokens);

  auto ca = sim::certificate_authority::create("bench-ca");
  auto serving = ca.issue_server("ambientd", {"localhost"}, {"127.0.0.1"});
  ca_file_ = dir + "/ca.pem";
  write_file(ca_file_, ca.cert_pem());
  write_file(dir + "/cert.pem", serving.cert_pem);
  write_file(dir + "/key.pem", serving.key_pem);
  auto made = xds::make_server_credentials({dir + "/cert.pem", dir + "/key.pem", ca_file_});
  if (!made.error.empty())
    throw std::runtime_error(made.error);
  creds_ = made.creds;

  actors::token_reviewer_config rc;
  rc.transport = std::make_shared<kube::transport>();
  rc.config_cluster_id = cluster_id_;
  rc.config_cluster = kube::connection_settings{};
  rc.config_cluster->server = c.server_url();
  rc.config_cluster->ca_pem = c.ca_pem();
  rc.config_cluster->token = c.token();
  rc.metrics = &metrics;
  rc.deadline = deadline;
  reviewer_ = sys.spawn(actors::token_reviewer_impl, rc);
}

token_cluster::~token_cluster() {
  caf::anon_send_exit(reviewer_, caf::exit_reason::user_shutdown);
  caf::scoped_actor self{sys_};
  self->wait_for(reviewer_); // it uses `metrics_` until it is gone
}

xds::caller_authenticator token_cluster::authenticator() const {
  auto reviewer = reviewer_;
  return xds::caller_authenticator{
      xds::spiffe_allow_list{},
      [reviewer](const xds::call_credentials& creds, std::function<void(xds::token_verdict)> done) {
        caf::anon_send(reviewer, messages::token_review_ask{creds, std::move(done)});
      }};
}

size_t token_cluster::reviews_served() const {
  size_t n = 0;
  for (const auto& line : fleet_->cluster(0).server().requests())
    if (line.find("tokenreviews") != std::string::npos)
      ++n;
  return n;
}

double token_cluster::reviews(const std::string& result) const {
  return metrics_
      .add_counter("ambientd_token_reviews_total",
                   "Service-account token authentications of TLS callers without a client "
                   "certificate, by result (cached: answered from the cache).",
                   {{"result", result}})
      .value();
}

} // namespace ambient::bench

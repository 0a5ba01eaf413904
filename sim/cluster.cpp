#include "sim/cluster.hpp"

#include <fstream>
#include <stdexcept>

#include "sim/apiserver_service.hpp"
#include "sim/kubeconfig_writer.hpp"
#include "sim/objects.hpp"

namespace ambient::sim {

namespace {

tls_material serving_material(const certificate_authority& ca, const std::string& name) {
  auto server
      = ca.issue_server("kube-sim-" + name, {"localhost", "kubernetes.default.svc"}, {"127.0.0.1"});
  return {server.cert_pem, server.key_pem, ca.cert_pem()};
}

/// The namespaces every cluster has, each with its `default` ServiceAccount.
void seed_namespaces(store& s, const std::string& network) {
  const auto* ns = find_resource("", "v1", "namespaces");
  auto now = std::chrono::system_clock::now();
  for (const char* name : {"default", "kube-system", "kube-public", "kube-node-lease"}) {
    auto obj = parse_json(make_namespace_json(name, {}, now), nullptr);
    s.create(*ns, "", std::move(*obj));
  }
  std::map<std::string, std::string> labels;
  if (!network.empty())
    labels["topology.istio.io/network"] = network;
  auto obj = parse_json(make_namespace_json("istio-system", labels, now), nullptr);
  s.create(*ns, "", std::move(*obj));
  const auto* sa = find_resource("", "v1", "serviceaccounts");
  for (const char* name :
       {"default", "kube-system", "kube-public", "kube-node-lease", "istio-system"})
    s.create(*sa, name,
             std::move(*parse_json(make_service_account_json(name, "default", now), nullptr)));
}

} // namespace

sim_cluster::sim_cluster(boost::asio::io_context& io, cluster_options opts,
                         std::string kubeconfig_dir)
  : io_(io), opts_(std::move(opts)), dir_(std::move(kubeconfig_dir)),
    store_(std::make_shared<store>(opts_.history_limit)), faults_(std::make_shared<fault_state>()),
    creds_(std::make_shared<credentials>()),
    tokens_(std::make_shared<const token_signer>(token_signer::create())),
    ca_(certificate_authority::create("kube-sim-ca-" + opts_.name)) {
  token_ = random_hex(24);
  creds_->add_token(token_);
  client_ = ca_.issue_client(opts_.name + "-admin", {"system:masters"});
  server_ = std::make_unique<api_server>(io_, store_, creds_, faults_, tokens_,
                                         serving_material(ca_, opts_.name), opts_.server);
  store_->set_service_range(opts_.index);
  seed_namespaces(*store_, opts_.network);
}

void sim_cluster::start(uint16_t port) {
  auto bound = server_->start(port);
  reconcile_apiserver_service(*store_, opts_.index, bound);
  std::lock_guard guard{mutex_};
  port_ = bound;
  write_kubeconfig_locked();
}

uint16_t sim_cluster::port() const {
  std::lock_guard guard{mutex_};
  return port_;
}

std::string sim_cluster::server_url() const {
  return "https://127.0.0.1:" + std::to_string(port());
}

std::string sim_cluster::kubeconfig() const {
  std::lock_guard guard{mutex_};
  return kubeconfig_;
}

std::string sim_cluster::kubeconfig_path() const {
  std::lock_guard guard{mutex_};
  return kubeconfig_path_;
}

std::string sim_cluster::ca_pem() const {
  std::lock_guard guard{mutex_};
  return ca_.cert_pem();
}

std::string sim_cluster::token() const {
  std::lock_guard guard{mutex_};
  return token_;
}

cert_and_key sim_cluster::client_certificate() const {
  std::lock_guard guard{mutex_};
  return client_;
}

void sim_cluster::write_kubeconfig_locked() {
  kubeconfig_spec spec;
  spec.cluster_name = opts_.name;
  spec.server = "https://127.0.0.1:" + std::to_string(port_);
  spec.ca_pem = ca_.cert_pem();
  if (opts_.client_cert_auth) {
    spec.client_cert_pem = client_.cert_pem;
    spec.client_key_pem = client_.key_pem;
  } else {
    spec.token = token_;
  }
  kubeconfig_ = write_kubeconfig(spec);
  if (dir_.empty())
    return;
  auto path = dir_ + "/" + opts_.name + ".kubeconfig";
  auto tmp = path + ".tmp";
  {
    std::ofstream out{tmp, std::ios::trunc};
    if (!out)
      throw std::runtime_error("kube-sim: cannot write " + tmp);
    out << kubeconfig_;
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    throw std::runtime_error("kube-sim: cannot rename " + tmp + " to " + path);
  kubeconfig_path_ = path;
}

void sim_cluster::down() {
  server_->stop();
}

void sim_cluster::up() {
  server_->start(port());
}

bool sim_cluster::is_up() const {
  return server_->running();
}

void sim_cluster::cut_watches() {
  server_->cut_watches();
}

void sim_cluster::compact() {
  store_->compact();
}

void sim_cluster::rotate_ca() {
  std::lock_guard guard{mutex_};
  ca_ = certificate_authority::create("kube-sim-ca-" + opts_.name);
  client_ = ca_.issue_client(opts_.name + "-admin", {"system:masters"});
  server_->set_tls(serving_material(ca_, opts_.name));
  write_kubeconfig_locked();
}

void sim_cluster::revoke_token() {
  std::lock_guard guard{mutex_};
  creds_->revoke_token(token_);
  token_ = random_hex(24);
  creds_->add_token(token_);
  write_kubeconfig_locked();
}

} // namespace ambient::sim

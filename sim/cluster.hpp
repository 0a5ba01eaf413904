#pragma once

#include <memory>
#include <mutex>
#include <string>

#include <boost/asio/io_context.hpp>

#include "sim/api_server.hpp"
#include "sim/faults.hpp"
#include "sim/pki.hpp"
#include "sim/store.hpp"

namespace ambient::sim {

/// How one simulated cluster is set up.
struct cluster_options {
  std::string name;
  /// The cluster's place in its fleet: picks its service range (service_ip, apiserver_service_ip).
  uint32_t index = 0;
  /// Kubeconfig user authenticates with a client certificate instead of a bearer token.
  bool client_cert_auth = false;
  /// Value of topology.istio.io/network on istio-system ("" for none).
  std::string network;
  size_t history_limit = 100'000;
  api_server_options server;
};

/// One simulated Kubernetes cluster: its store, its HTTPS API server on 127.0.0.1, its
/// credentials and CA, its fault menu, and the kubeconfig that reaches it.
class sim_cluster {
public:
  /// Creates the cluster (CA, serving certificate, token, service-account token signer, the
  /// namespaces every cluster has, each with its `default` ServiceAccount);
  /// `kubeconfig_dir`, when not empty, receives `<name>.kubeconfig` on start and on every rotation.
  sim_cluster(boost::asio::io_context& io, cluster_options opts, std::string kubeconfig_dir);

  /// Starts serving on 127.0.0.1:`port` (0 picks one) and writes Service and EndpointSlice
  /// default/kubernetes for the bound port.
  void start(uint16_t port = 0);

  const std::string& name() const {
    return opts_.name;
  }
  uint16_t port() const;
  std::string server_url() const;
  store& data() {
    return *store_;
  }
  fault_state& faults() {
    return *faults_;
  }
  api_server& server() {
    return *server_;
  }
  /// This cluster's service-account token signer (its own key, made with the cluster): what
  /// TokenRequest signs with and TokenReview verifies against.
  const token_signer& tokens() const {
    return *tokens_;
  }

  /// The kubeconfig that currently reaches this cluster (inline CA and credentials).
  std::string kubeconfig() const;
  /// Where kubeconfig() was last written ("" without a kubeconfig dir).
  std::string kubeconfig_path() const;
  /// The current CA (PEM), bearer token and client certificate, as the kubeconfig holds them.
  std::string ca_pem() const;
  std::string token() const;
  cert_and_key client_certificate() const;

  // -- the fault menu ---------------------------------------------------------------------------

  /// Takes the API server down: listener closed, every connection dropped.
  void down();
  /// Brings it back on the same port.
  void up();
  bool is_up() const;
  /// Cuts every open watch connection.
  void cut_watches();
  /// Drops the event history: watches from any older version get 410 Expired.
  void compact();
  /// Replaces the CA and serving certificate (and the client certificate): clients that trust the
  /// old CA fail TLS verification; the kubeconfig is rewritten.
  void rotate_ca();
  /// Revokes the current bearer token (clients using it get 401) and issues a new one; the
  /// kubeconfig is rewritten.
  void revoke_token();

private:
  void write_kubeconfig_locked();

  boost::asio::io_context& io_;
  cluster_options opts_;
  std::string dir_;
  std::shared_ptr<store> store_;
  std::shared_ptr<fault_state> faults_;
  std::shared_ptr<credentials> creds_;
  std::shared_ptr<const token_signer> tokens_;
  std::unique_ptr<api_server> server_;
  mutable std::mutex mutex_; // guards the fields below
  certificate_authority ca_;
  cert_and_key client_;
  std::string token_;
  uint16_t port_ = 0;
  std::string kubeconfig_;
  std::string kubeconfig_path_;
};

} // namespace ambient::sim

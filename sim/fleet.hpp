#pragma once

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "sim/cluster.hpp"

namespace ambient::sim {

/// How a fleet is set up.
struct fleet_options {
  size_t clusters = 1;
  std::string name_prefix = "cluster-";
  /// Where kubeconfigs go ("" keeps them in memory only).
  std::string kubeconfig_dir;
  /// Network of cluster i is "<network_prefix><i>" ("" for none).
  std::string network_prefix;
  bool client_cert_auth = false;
  size_t threads = 2;
  size_t history_limit = 100'000;
  api_server_options server;
};

/// F simulated clusters served from one process, each on its own 127.0.0.1 port, sharing one
/// io_context run by a few threads. Usable in-process from tests; stops itself when destroyed.
class fleet {
public:
  explicit fleet(fleet_options opts);
  ~fleet();
  fleet(const fleet&) = delete;
  fleet& operator=(const fleet&) = delete;

  /// Starts every cluster (ports picked by the kernel) and the I/O threads.
  void start();
  /// Stops every cluster and joins the I/O threads.
  void stop();

  size_t size() const {
    return clusters_.size();
  }
  sim_cluster& cluster(size_t i) {
    return *clusters_.at(i);
  }
  /// The cluster with this name, or nullptr.
  sim_cluster* find(const std::string& name);
  boost::asio::io_context& io() {
    return io_;
  }

private:
  fleet_options opts_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::vector<std::unique_ptr<sim_cluster>> clusters_;
  std::vector<std::thread> threads_;
};

} // namespace ambient::sim

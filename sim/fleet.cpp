#include "sim/fleet.hpp"

namespace ambient::sim {

fleet::fleet(fleet_options opts)
  : opts_(std::move(opts)), work_(boost::asio::make_work_guard(io_)) {
  for (size_t i = 0; i < opts_.clusters; ++i) {
    cluster_options c;
    c.name = opts_.name_prefix + std::to_string(i + 1);
    c.index = static_cast<uint32_t>(i);
    c.client_cert_auth = opts_.client_cert_auth;
    if (!opts_.network_prefix.empty())
      c.network = opts_.network_prefix + std::to_string(i + 1);
    c.history_limit = opts_.history_limit;
    c.server = opts_.server;
    clusters_.push_back(std::make_unique<sim_cluster>(io_, std::move(c), opts_.kubeconfig_dir));
  }
}

fleet::~fleet() {
  stop();
}

void fleet::start() {
  for (auto& c : clusters_)
    c->start(0);
  for (size_t i = 0; i < std::max<size_t>(1, opts_.threads); ++i)
    threads_.emplace_back([this] { io_.run(); });
}

void fleet::stop() {
  if (threads_.empty())
    return;
  // Close listeners and connections, then let the handlers finish (they see the closed sockets);
  // if something still holds work after a grace period, stop the loop outright.
  for (auto& c : clusters_)
    c->down();
  work_.reset();
  for (int i = 0; i < 300 && !io_.stopped(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  io_.stop();
  for (auto& t : threads_)
    t.join();
  threads_.clear();
}

sim_cluster* fleet::find(const std::string& name) {
  for (auto& c : clusters_)
    if (c->name() == name)
      return c.get();
  return nullptr;
}

} // namespace ambient::sim

#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "sim/fleet.hpp"
#include "sim/workload.hpp"

namespace ambient::sim {

/// The fault menu and workload controls of a fleet, as plain-HTTP requests (see docs/kube-sim.md):
/// `GET /fleet`, `GET /clusters/<name>/kubeconfig`, `POST /clusters/<name>/<action>?...`.
class admin_api {
public:
  explicit admin_api(fleet& f);
  ~admin_api();

  struct response {
    int status = 200;
    std::string body;
    std::string content_type = "application/json";
  };

  /// Handles one request; never throws (errors become 4xx/5xx with a message).
  response handle(const std::string& method, const std::string& target);

  /// Serves handle() over HTTP on 127.0.0.1:`port` (0 picks one) on the fleet's io_context;
  /// returns the bound port.
  uint16_t listen(uint16_t port);

private:
  response act(sim_cluster& c, const std::string& action,
               const std::map<std::string, std::string>& q);
  std::string fleet_json();
  /// `GET /clusters/<name>/stamps?tag=T`: one "<n> <steady ns>" line per stamped change.
  std::string stamps_text(const std::string& cluster_and_tag);

  fleet& fleet_;
  std::mutex mutex_;
  std::map<std::string, seeded_cluster> seeds_;
  std::map<std::string, std::unique_ptr<churn_driver>> churn_;
  /// `stamp` drivers by "<cluster>/<tag>": kept after they stop, so their stamps can be read.
  std::map<std::string, std::unique_ptr<churn_driver>> stamped_;
  struct server;
  std::shared_ptr<server> server_;
};

} // namespace ambient::sim

#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "mesh/mesh_index.hpp"
#include "mesh/resource.hpp"
#include "xds/proxyless_resources.hpp"
#include "xds/resource_table.hpp"

namespace ambient::xds {

/// What one mesh delta changes in the four proxyless tables (LDS, RDS, CDS, EDS), ready for
/// resource_table::apply(upserts, removes, delta.version).
struct proxyless_delta {
  /// The changes of one table: resources to add or replace, names to remove.
  struct table_change {
    std::vector<resource_update> upserts;
    std::vector<std::string> removes;
    bool empty() const {
      return upserts.empty() && removes.empty();
    }
  };
  table_change listeners, routes, clusters, endpoints;
  bool empty() const {
    return listeners.empty() && routes.empty() && clusters.empty() && endpoints.empty();
  }
};

/// Translates the merged ambient view into what proxyless gRPC clients ask for (gRFC A27: an API
/// listener per "hostname:port", its route configuration over ADS, an EDS cluster and its load
/// assignment), incrementally: apply() takes each mesh delta and returns only the resources that
/// changed. Every Service port (service_port != 0) gets one resource of each type; endpoints are
/// the healthy, addressed workloads whose `services` map names the service, grouped by locality.
/// When several services share a hostname, the one with the smallest resource name is served.
/// Pure: no I/O.
class proxyless_view {
public:
  /// Applies a mesh delta (removals first, then upserts) and returns what changed: endpoints of
  /// every service whose endpoints the delta may have moved (a workload replaced by one with the
  /// same status, address, locality, cluster and service ports touches none),
  /// listener/route/cluster of its new ports, removals of the resources of ports and services that
  /// disappeared. Each table's upserts sorted by name.
  proxyless_delta apply(const mesh::mesh_delta& delta);

  /// Every resource from scratch (the test oracle): same shape as apply's upserts, sorted by
  /// name; no removes.
  proxyless_delta rebuild() const;

  /// Services held (by resource name "namespace/hostname").
  std::size_t services() const {
    return services_.size();
  }
  /// Workloads held (by uid), whether or not their services are in the view yet.
  std::size_t workloads() const {
    return workloads_.size();
  }

private:
  void erase(const std::string& name, std::set<std::string>& dirty);
  void insert(const mesh::address_ptr& r, std::set<std::string>& dirty);
  void dirty_services_of(const mesh::address_ptr& workload, std::set<std::string>& dirty) const;
  void refresh(const std::string& hostname, proxyless_delta& out);
  std::set<uint32_t> emit(const std::string& hostname, const std::set<uint32_t>& known,
                          proxyless_delta& out) const;
  std::string load_assignment(const std::string& key, const std::string& hostname,
                              uint32_t service_port, uint32_t service_target) const;

  std::map<std::string, mesh::address_ptr, std::less<>> services_;  ///< by "namespace/hostname"
  std::map<std::string, mesh::address_ptr, std::less<>> workloads_; ///< by uid
  /// Service key → uids of the workloads whose `services` map names it (healthy or not).
  std::map<std::string, std::set<std::string>, std::less<>> members_;
  /// Hostname → the keys of the services with that hostname (usually one).
  std::map<std::string, std::set<std::string>, std::less<>> hostnames_;
  /// Hostname → the ports whose resources were emitted and not removed since.
  std::map<std::string, std::set<uint32_t>, std::less<>> emitted_;
};

} // namespace ambient::xds

#include "bench/xds/fleet_report.hpp"

#include "istio/workload/workload.pb.h"

namespace ambient::bench {

void collect_stamps(const envoy::service::discovery::v3::DeltaDiscoveryResponse& r, int64_t at,
                    std::vector<stamp_arrival>& out, std::map<std::string, std::string>& samples) {
  istio::workload::Address a;
  for (const auto& res : r.resources()) {
    if (!res.resource().UnpackTo(&a) || !a.has_workload())
      continue;
    const auto& rev = a.workload().canonical_revision();
    if (rev.size() > 1 && rev[0] == 's' && rev[1] >= '0' && rev[1] <= '9') {
      out.push_back({rev, at});
      if (!samples.contains(rev))
        samples.emplace(rev, res.resource().value());
    }
  }
}

int64_t serialize_ns(const std::map<std::string, std::string>& samples) {
  std::vector<istio::workload::Address> parsed(samples.size());
  size_t i = 0;
  for (const auto& [stamp, bytes] : samples)
    parsed[i++].ParseFromString(bytes);
  std::string out;
  auto t0 = now_ns();
  for (const auto& a : parsed) {
    out.clear();
    a.SerializeToString(&out);
  }
  return now_ns() - t0;
}

} // namespace ambient::bench

#pragma once

#include <cstdint>
#include <random>
#include <string>

#include "bench/harness/processes.hpp"

/// The objects the chaos soak adds beside kube-sim's seeded pods, so its ground truth covers every
/// kind of workload: a selector-less GLOBAL Service `legacy/db` with a hand-written EndpointSlice
/// (endpoints of its own, one not ready) in every cluster, and an `istio-east-west` network
/// Gateway in every remote cluster (a NetworkGateway workload each).
namespace ambient::bench {

/// `method` `path` (with the JSON `body`) on `cluster`'s API server; returns the HTTP status.
/// Throws std::runtime_error unless the status is 2xx or `tolerated`.
int api_write(sim_process& sim, const std::string& cluster, const std::string& method,
              const std::string& path, const std::string& body, int tolerated = 0);

/// A JSON merge patch of `path` on `cluster`'s API server; a 404 (the Gateway API uninstalled by
/// a fault, an object gone) is tolerated. Throws std::runtime_error on any other failure.
void api_merge(sim_process& sim, const std::string& cluster, const std::string& path,
               const std::string& patch);

/// Creates them in cluster `index` (0 is the config cluster); throws std::runtime_error when the
/// API server refuses one.
void add_index_objects(sim_process& sim, const std::string& cluster, int index);

/// Replaces cluster `index`'s slice with 0–4 random endpoints (random readiness), or, every third
/// `turn` of a remote cluster, moves its gateway to another address. Returns what it did, for the
/// action counts.
std::string churn_index_objects(sim_process& sim, const std::string& cluster, int index,
                                uint64_t turn, std::mt19937& rng);

} // namespace ambient::bench

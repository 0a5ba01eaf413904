#pragma once

#include <chrono>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "support/child_process.hpp"

namespace ambient::test {

/// The command line every test and bench starts ambientd with: config cluster cluster-1 from
/// `kubeconfig`, and ADS, monitoring and debug on 127.0.0.1 ports the kernel picks; `extra` flags
/// appended.
inline std::vector<std::string> ambientd_argv(const std::string& binary,
                                              const std::string& kubeconfig,
                                              const std::vector<std::string>& extra = {}) {
  std::vector<std::string> argv{binary, "--cluster-id", "cluster-1", "--kubeconfig", kubeconfig};
  for (const char* listener : {"--xds-address", "--monitoring-address", "--debug-address"})
    argv.insert(argv.end(), {listener, "127.0.0.1:0"});
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

/// Waits for ambientd's "serving `what` on 127.0.0.1:0 (port N)" log line (`what` is a regex:
/// "ADS", "/metrics, /healthz, /readyz", "/debug and the dashboard"); N, or nullopt after
/// `timeout` or when the process exits first.
inline std::optional<int> wait_served_port(child_process& p, const std::string& what,
                                           std::chrono::milliseconds timeout) {
  auto found
      = p.wait_log(std::regex{"serving " + what + R"( on 127\.0\.0\.1:0 \(port (\d+)\))"}, timeout);
  if (!found)
    return std::nullopt;
  return std::stoi(*found);
}

} // namespace ambient::test

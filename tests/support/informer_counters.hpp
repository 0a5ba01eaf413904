#pragma once

#include <regex>
#include <sstream>
#include <string>

#include "telemetry/metrics.hpp"

namespace ambient::test {

/// The value of an informer counter (e.g. "ambientd_informer_relists_total") of one cluster and
/// resource in the process-wide registry, 0 before the informer made its series. The registry is
/// shared by every test of the binary: compare with a value read earlier, never with a constant.
inline double informer_counter(const std::string& name, const std::string& cluster,
                               const std::string& resource) {
  const std::string prefix = name + "{cluster=\"" + cluster + "\",resource=\"" + resource + "\"} ";
  std::istringstream in{telemetry::default_registry().encode()};
  for (std::string line; std::getline(in, line);)
    if (line.rfind(prefix, 0) == 0)
      return std::stod(line.substr(prefix.size()));
  return 0;
}

} // namespace ambient::test

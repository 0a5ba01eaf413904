#pragma once

#include <string>

#include "cmd/flags.hpp"
#include "telemetry/log.hpp"

namespace ambient::cmd {

/// Everything ambientd is told at start-up, from flags and the optional --config file.
struct ambientd_options {
  std::string config_file;
  std::string cluster_id = "Kubernetes";
  std::string system_namespace = "istio-system";
  std::string log_level = "info";
  std::string log_format = "text";
};

/// The result of reading ambientd's command line.
struct ambientd_parse {
  parse_result result;
  ambientd_options options;
  std::string usage;
  std::string version;
  telemetry::log_config log;
};

/// Reads ambientd's flags; on error the result names the flag or config key.
ambientd_parse parse_ambientd_flags(int argc, const char* const* argv);

} // namespace ambient::cmd

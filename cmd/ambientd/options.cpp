#include "cmd/ambientd/options.hpp"

#include "cmd/version.hpp"

namespace ambient::cmd {

ambientd_parse parse_ambientd_flags(int argc, const char* const* argv) {
  ambientd_parse out;
  auto& o = out.options;
  flag_set flags{"ambientd",
                 "Control plane for Istio ambient multicluster: watches remote secrets, runs "
                 "informers against every cluster and serves the merged mesh over xDS.",
                 std::string{"ambientd "} + version_string};
  flags.enable_config_file(&o.config_file);
  flags.add("cluster-id", &o.cluster_id,
            "ID of the config cluster ambientd runs in (istiod's CLUSTER_ID)");
  flags.add("system-namespace", &o.system_namespace,
            "namespace holding remote secrets, the Lease and the status ConfigMap");
  flags.add_choice("log-level", &o.log_level,
                   {"trace", "debug", "info", "warn", "error", "critical", "off"},
                   "lowest level of log lines written");
  flags.add_choice("log-format", &o.log_format, {"text", "json"},
                   "log line format: text, or one JSON object per line");
  out.result = flags.parse(argc, argv);
  out.usage = flags.usage();
  out.version = flags.version();
  if (out.result.outcome == parse_outcome::run) {
    // Both were validated as choices above.
    out.log.level = telemetry::parse_log_level(o.log_level).value_or(spdlog::level::info);
    out.log.format
        = telemetry::parse_log_format(o.log_format).value_or(telemetry::log_format::text);
  }
  return out;
}

} // namespace ambient::cmd

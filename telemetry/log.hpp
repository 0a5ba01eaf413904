#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <spdlog/spdlog.h>

namespace ambient::telemetry {

/// How log lines are written: human text or one JSON object per line.
enum class log_format { text, json };

/// Process-wide logging settings, set once at start-up from flags.
struct log_config {
  log_format format = log_format::text;
  spdlog::level::level_enum level = spdlog::level::info;
};

/// Parses a log format name ("text" or "json"); nullopt for anything else.
std::optional<log_format> parse_log_format(std::string_view name);

/// Parses a level name (trace, debug, info, warn, error, critical, off); nullopt otherwise.
std::optional<spdlog::level::level_enum> parse_log_level(std::string_view name);

/// Installs the process-wide sink (stderr) and formatter. Loggers made before keep working and pick
/// up the new format, level and sink.
void configure_logging(const log_config& cfg);

/// Installs a caller-provided sink instead of stderr (tests capture lines this way).
void configure_logging(const log_config& cfg, spdlog::sink_ptr sink);

/// Returns a logger that tags every line with the actor role and, when not empty, the cluster ID.
/// Loggers share the process-wide sink; they are cheap and not registered globally.
std::shared_ptr<spdlog::logger> make_logger(std::string_view actor, std::string_view cluster = {});

} // namespace ambient::telemetry

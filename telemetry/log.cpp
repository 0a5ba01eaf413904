#include "telemetry/log.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <ctime>
#include <mutex>
#include <vector>

#include <spdlog/details/log_msg.h>
#include <spdlog/formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/dist_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include "base/json_writer.hpp"
#include "telemetry/repeat_limiter.hpp"

namespace ambient::telemetry {

namespace {

// Logger names carry the context as "actor" or "actor/cluster"; the formatter splits them back.
constexpr char context_separator = '/';

struct context {
  std::string_view actor;
  std::string_view cluster;
};

context split_context(spdlog::string_view_t name) {
  std::string_view n{name.data(), name.size()};
  auto pos = n.find(context_separator);
  if (pos == std::string_view::npos)
    return {n, {}};
  return {n.substr(0, pos), n.substr(pos + 1)};
}

void append_time(spdlog::memory_buf_t& dest, spdlog::log_clock::time_point tp) {
  using namespace std::chrono;
  auto secs = time_point_cast<seconds>(tp);
  auto micros = duration_cast<microseconds>(tp - secs).count();
  std::time_t t = system_clock::to_time_t(secs);
  std::tm utc{};
  gmtime_r(&t, &utc);
  std::array<char, 40> buf{};
  auto n = std::strftime(buf.data(), buf.size(), "%Y-%m-%dT%H:%M:%S", &utc);
  dest.append(buf.data(), buf.data() + n);
  auto m = std::snprintf(buf.data(), buf.size(), ".%06ldZ", static_cast<long>(micros));
  dest.append(buf.data(), buf.data() + m);
}

void append(spdlog::memory_buf_t& dest, std::string_view s) {
  dest.append(s.data(), s.data() + s.size());
}

std::string_view level_name(spdlog::level::level_enum lvl) {
  auto sv = spdlog::level::to_string_view(lvl);
  return {sv.data(), sv.size()};
}

/// `2026-11-26T23:30:00.123456Z info     remote_cluster cluster=c1 text`
class text_formatter final : public spdlog::formatter {
public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    append_time(dest, msg.time);
    dest.push_back(' ');
    auto lvl = level_name(msg.level);
    append(dest, lvl);
    // Pad to the longest name ("critical") plus one space, so columns align and never touch.
    for (auto i = lvl.size(); i < 9; ++i)
      dest.push_back(' ');
    auto ctx = split_context(msg.logger_name);
    if (!ctx.actor.empty()) {
      append(dest, ctx.actor);
      dest.push_back(' ');
    }
    if (!ctx.cluster.empty()) {
      append(dest, "cluster=");
      append(dest, ctx.cluster);
      dest.push_back(' ');
    }
    append(dest, std::string_view{msg.payload.data(), msg.payload.size()});
    dest.push_back('\n');
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<text_formatter>();
  }
};

/// `{"time":"...","level":"info","actor":"remote_cluster","cluster":"c1","msg":"text"}`
class json_formatter final : public spdlog::formatter {
public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    append(dest, R"({"time":")");
    append_time(dest, msg.time);
    append(dest, R"(","level":")");
    append(dest, level_name(msg.level));
    auto ctx = split_context(msg.logger_name);
    if (!ctx.actor.empty()) {
      append(dest, R"(","actor":")");
      append(dest, base::json_escape(ctx.actor));
    }
    if (!ctx.cluster.empty()) {
      append(dest, R"(","cluster":")");
      append(dest, base::json_escape(ctx.cluster));
    }
    append(dest, R"(","msg":")");
    append(dest, base::json_escape({msg.payload.data(), msg.payload.size()}));
    append(dest, "\"}\n");
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<json_formatter>();
  }
};

/// The one sink every logger writes to; its children are swapped by configure_logging.
std::shared_ptr<spdlog::sinks::dist_sink_mt> shared_sink() {
  static auto sink = [] {
    auto s = std::make_shared<spdlog::sinks::dist_sink_mt>();
    s->add_sink(std::make_shared<spdlog::sinks::stderr_sink_mt>());
    s->set_formatter(std::make_unique<text_formatter>());
    return s;
  }();
  return sink;
}

/// Swallows repeats of a line (same logger, level and text, nothing else from that logger in
/// between) at info and above within a minute, and says how many it swallowed on the next one it
/// lets through (telemetry::repeat_limiter).
class repeat_filter_sink final : public spdlog::sinks::base_sink<std::mutex> {
public:
  explicit repeat_filter_sink(spdlog::sink_ptr child) : child_(std::move(child)) {
    // nop
  }

protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    if (!child_->should_log(msg.level))
      return; // the configured level filters first: a dropped line is no repeat
    if (msg.level < spdlog::level::info) {
      child_->log(msg);
      return;
    }
    text_.assign(1, static_cast<char>('0' + msg.level));
    text_.append(msg.payload.data(), msg.payload.size());
    auto swallowed = limiter_.admit({msg.logger_name.data(), msg.logger_name.size()}, text_,
                                    std::chrono::steady_clock::now());
    if (!swallowed)
      return;
    if (*swallowed == 0) {
      child_->log(msg);
      return;
    }
    std::string text{msg.payload.data(), msg.payload.size()};
    text += swallowed_note(*swallowed);
    auto copy = msg;
    copy.payload = text;
    child_->log(copy);
  }
  void flush_() override {
    child_->flush();
  }

private:
  spdlog::sink_ptr child_;
  repeat_limiter limiter_{std::chrono::minutes{1}};
  std::string text_;
};

/// What every logger writes to: the shared sink behind the repeat filter.
spdlog::sink_ptr filtered_sink() {
  static auto sink = std::make_shared<repeat_filter_sink>(shared_sink());
  return sink;
}

std::mutex config_mutex;
log_config current_config;

} // namespace

std::optional<log_format> parse_log_format(std::string_view name) {
  if (name == "text")
    return log_format::text;
  if (name == "json")
    return log_format::json;
  return std::nullopt;
}

std::optional<spdlog::level::level_enum> parse_log_level(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, spdlog::level::level_enum>, 8> names{{
      {"trace", spdlog::level::trace},
      {"debug", spdlog::level::debug},
      {"info", spdlog::level::info},
      {"warn", spdlog::level::warn},
      {"warning", spdlog::level::warn},
      {"error", spdlog::level::err},
      {"critical", spdlog::level::critical},
      {"off", spdlog::level::off},
  }};
  for (const auto& [n, lvl] : names)
    if (n == name)
      return lvl;
  return std::nullopt;
}

void configure_logging(const log_config& cfg) {
  configure_logging(cfg, std::make_shared<spdlog::sinks::stderr_sink_mt>());
}

void configure_logging(const log_config& cfg, spdlog::sink_ptr sink) {
  std::lock_guard guard{config_mutex};
  current_config = cfg;
  auto dist = shared_sink();
  dist->set_sinks({std::move(sink)});
  if (cfg.format == log_format::json)
    dist->set_formatter(std::make_unique<json_formatter>());
  else
    dist->set_formatter(std::make_unique<text_formatter>());
  // Loggers made later take the level at creation (cheap early filter); the sink filters too, so
  // loggers made before this call obey the new level as well.
  dist->set_level(cfg.level);
  auto def = std::make_shared<spdlog::logger>("", filtered_sink());
  def->set_level(cfg.level);
  spdlog::set_default_logger(def);
}

std::shared_ptr<spdlog::logger> make_logger(std::string_view actor, std::string_view cluster) {
  std::string name{actor};
  if (!cluster.empty()) {
    name += context_separator;
    name += cluster;
  }
  auto lg = std::make_shared<spdlog::logger>(std::move(name), filtered_sink());
  {
    std::lock_guard guard{config_mutex};
    lg->set_level(current_config.level);
  }
  lg->flush_on(spdlog::level::warn);
  return lg;
}

} // namespace ambient::telemetry

#include <catch2/catch.hpp>

#include <algorithm>

#include "support/log_capture.hpp"
#include "telemetry/log.hpp"

using namespace ambient::telemetry;

namespace {

std::shared_ptr<ambient::test::log_capture> capture(log_format fmt, spdlog::level::level_enum lvl) {
  auto sink = std::make_shared<ambient::test::log_capture>();
  configure_logging({fmt, lvl}, sink);
  return sink;
}

} // namespace

TEST_CASE("text log lines carry the actor and cluster context", "[telemetry]") {
  auto sink = capture(log_format::text, spdlog::level::info);
  make_logger("remote_cluster", "cluster-2")->info("informer {} synced", "pods");
  make_logger("xds_publisher")->warn("stream closed");
  make_logger("ambientd")->critical("bad flag");
  auto lines = sink->lines();
  REQUIRE(lines.size() == 3);
  CHECK(lines[2].find(" critical ambientd bad flag\n") != std::string::npos); // never glued
  CHECK(lines[0].find(" info ") != std::string::npos);
  CHECK(lines[0].find("remote_cluster cluster=cluster-2 informer pods synced\n")
        != std::string::npos);
  CHECK(lines[1].find("warning") != std::string::npos);
  CHECK(lines[1].find("xds_publisher stream closed") != std::string::npos);
  CHECK(lines[1].find("cluster=") == std::string::npos);
}

TEST_CASE("json log lines are one escaped object per line", "[telemetry]") {
  auto sink = capture(log_format::json, spdlog::level::debug);
  make_logger("secret", "c\"1")->debug("bad value: {}", "line1\nline2\t\x01");
  auto lines = sink->lines();
  REQUIRE(lines.size() == 1);
  const auto& l = lines[0];
  CHECK(l.starts_with(R"({"time":")"));
  CHECK(l.find(R"("level":"debug")") != std::string::npos);
  CHECK(l.find(R"("actor":"secret")") != std::string::npos);
  CHECK(l.find(R"("cluster":"c\"1")") != std::string::npos);
  CHECK(l.find(R"("msg":"bad value: line1\nline2\t\u0001"})") != std::string::npos);
  CHECK(l.back() == '\n');
  CHECK(l.find('\n') == l.size() - 1);
}

TEST_CASE("lines below the configured level are dropped, even for older loggers", "[telemetry]") {
  auto early = make_logger("early");
  auto sink = capture(log_format::text, spdlog::level::warn);
  early->info("hidden");
  make_logger("late")->info("hidden too");
  early->error("shown");
  auto lines = sink->lines();
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].find("early shown") != std::string::npos);
}

TEST_CASE("log level and format names parse, unknown names do not", "[telemetry]") {
  CHECK(parse_log_level("debug") == spdlog::level::debug);
  CHECK(parse_log_level("warn") == spdlog::level::warn);
  CHECK(parse_log_level("off") == spdlog::level::off);
  CHECK(!parse_log_level("verbose"));
  CHECK(parse_log_format("json") == log_format::json);
  CHECK(!parse_log_format("xml"));
}

TEST_CASE("a repeated line is written once a minute, lines that differ are not held up",
          "[telemetry]") {
  auto sink = capture(log_format::text, spdlog::level::debug);
  auto a = make_logger("informer", "cluster-a");
  auto b = make_logger("informer", "cluster-b");
  for (int i = 0; i < 5; ++i) {
    a->warn("pods connection: refused");
    b->warn("pods connection: refused"); // the same text from another cluster is another line
    a->debug("retry {}", 1);             // debug is never held back
  }
  a->warn("services connection: refused");
  auto lines = sink->lines();
  auto count = [&](std::string_view text) {
    return std::count_if(lines.begin(), lines.end(),
                         [&](const std::string& l) { return l.find(text) != std::string::npos; });
  };
  CHECK(count("cluster-a") == 1 + 5 + 1);
  CHECK(count("cluster-b") == 1);
  CHECK(count("retry 1") == 5);
  CHECK(count("services connection: refused") == 1);
}

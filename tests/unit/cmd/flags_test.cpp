#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <unistd.h>

#include "cmd/ambientd/options.hpp"
#include "cmd/flags.hpp"

using namespace ambient::cmd;
using namespace std::chrono_literals;

namespace {

template <class... Ts>
ambientd_parse parse(Ts... args) {
  std::vector<const char*> argv{"ambientd", args...};
  return parse_ambientd_flags(static_cast<int>(argv.size()), argv.data());
}

/// A temporary file deleted when the test ends.
struct temp_file {
  std::string path;
  explicit temp_file(const std::string& content) {
    char name[] = "/tmp/ambientd-test-XXXXXX";
    int fd = mkstemp(name);
    REQUIRE(fd >= 0);
    close(fd);
    path = name;
    std::ofstream{path} << content;
  }
  ~temp_file() {
    std::remove(path.c_str());
  }
};

} // namespace

TEST_CASE("ambientd starts with istiod's defaults when given no flags", "[cmd]") {
  auto p = parse();
  REQUIRE(p.result.outcome == parse_outcome::run);
  CHECK(p.options.cluster_id == "Kubernetes");
  CHECK(p.options.system_namespace == "istio-system");
  CHECK(p.log.level == spdlog::level::info);
}

TEST_CASE("flags take --name=value and --name value forms", "[cmd]") {
  auto p = parse("--cluster-id=east", "--system-namespace", "mesh", "--log-format=json");
  REQUIRE(p.result.outcome == parse_outcome::run);
  CHECK(p.options.cluster_id == "east");
  CHECK(p.options.system_namespace == "mesh");
  CHECK(p.log.format == ambient::telemetry::log_format::json);
}

TEST_CASE("an unknown flag is an error that names it", "[cmd]") {
  auto p = parse("--cluster-id=a", "--clusterid=b");
  REQUIRE(p.result.outcome == parse_outcome::error);
  CHECK(p.result.message.find("unknown flag --clusterid") != std::string::npos);
}

TEST_CASE("a bad flag value is an error naming the flag and the allowed values", "[cmd]") {
  auto p = parse("--log-level=verbose");
  REQUIRE(p.result.outcome == parse_outcome::error);
  CHECK(p.result.message.find("--log-level") != std::string::npos);
  CHECK(p.result.message.find("verbose") != std::string::npos);
  CHECK(p.result.message.find("debug") != std::string::npos);
}

TEST_CASE("a flag without its value, and a bare argument, are errors", "[cmd]") {
  CHECK(parse("--cluster-id").result.outcome == parse_outcome::error);
  auto p = parse("east");
  REQUIRE(p.result.outcome == parse_outcome::error);
  CHECK(p.result.message.find("'east'") != std::string::npos);
}

TEST_CASE("--help and --version win over everything else", "[cmd]") {
  auto h = parse("--bogus", "--help");
  CHECK(h.result.outcome == parse_outcome::help);
  CHECK(h.usage.find("--cluster-id STRING") != std::string::npos);
  CHECK(h.usage.find("(default istio-system)") != std::string::npos);
  auto v = parse("--version");
  CHECK(v.result.outcome == parse_outcome::version);
  CHECK(v.version.starts_with("ambientd "));
}

TEST_CASE("a config file sets flags and the command line overrides it", "[cmd]") {
  temp_file f{"cluster-id: west\nsystem-namespace: mesh-system\nlog-level: debug\n"};
  auto p = parse("--config", f.path.c_str(), "--cluster-id=east");
  REQUIRE(p.result.outcome == parse_outcome::run);
  CHECK(p.options.cluster_id == "east");
  CHECK(p.options.system_namespace == "mesh-system");
  CHECK(p.log.level == spdlog::level::debug);
  CHECK(p.options.config_file == f.path);
}

TEST_CASE("config file errors name the file and the key", "[cmd]") {
  SECTION("unknown key") {
    temp_file f{"cluster_id: west\n"};
    auto p = parse(("--config=" + f.path).c_str());
    REQUIRE(p.result.outcome == parse_outcome::error);
    CHECK(p.result.message.find(f.path) != std::string::npos);
    CHECK(p.result.message.find("unknown key 'cluster_id'") != std::string::npos);
  }
  SECTION("not a mapping, broken YAML, a bad value") {
    struct row {
      const char* rule;
      const char* text;
      const char* message;
    };
    for (const auto& r : {row{"not a mapping", "- a\n- b\n", "mapping"},
                          row{"broken YAML", "cluster-id: [unclosed\n", "not valid YAML"},
                          row{"bad value", "log-format: xml\n", "--log-format"}}) {
      INFO(r.rule);
      temp_file f{r.text};
      auto p = parse("--config", f.path.c_str());
      REQUIRE(p.result.outcome == parse_outcome::error);
      CHECK(p.result.message.find(r.message) != std::string::npos);
    }
  }
  SECTION("missing file") {
    auto p = parse("--config", "/nonexistent/ambientd.yaml");
    REQUIRE(p.result.outcome == parse_outcome::error);
    CHECK(p.result.message.find("/nonexistent/ambientd.yaml") != std::string::npos);
  }
}

TEST_CASE("typed flags check their values", "[cmd]") {
  uint16_t port = 15010;
  std::chrono::milliseconds timeout = 30s;
  bool flag = false;
  std::vector<std::string> list;
  flag_set fs{"t", "test", "t 1"};
  fs.add("port", &port, "a port");
  fs.add("timeout", &timeout, "a duration");
  fs.add("flag", &flag, "a bool");
  fs.add("list", &list, "a list");
  auto run = [&](std::vector<const char*> args) {
    args.insert(args.begin(), "t");
    return fs.parse(static_cast<int>(args.size()), args.data()).outcome;
  };
  CHECK(run({"--port=8080", "--timeout=1m30s", "--flag", "--list=a,b", "--list", "c"})
        == parse_outcome::run);
  CHECK(port == 8080);
  CHECK(timeout == 90s);
  CHECK(flag);
  CHECK(list == std::vector<std::string>{"a", "b", "c"});
  CHECK(run({"--port=65536"}) == parse_outcome::error);
  CHECK(run({"--port=-1"}) == parse_outcome::error);
  CHECK(run({"--timeout=10"}) == parse_outcome::error);
  CHECK(run({"--flag=maybe"}) == parse_outcome::error);
  CHECK(run({"--flag=false"}) == parse_outcome::run);
  CHECK(!flag);
}

TEST_CASE("durations parse Go-style and format back", "[cmd]") {
  CHECK(parse_duration("250ms") == 250ms);
  CHECK(parse_duration("1h2m3s4ms") == 3'723'004ms);
  CHECK(parse_duration("0") == 0ms);
  CHECK(!parse_duration(""));
  CHECK(!parse_duration("5"));
  CHECK(!parse_duration("5d"));
  CHECK(!parse_duration("-5s"));
  CHECK(!parse_duration("99999999999999999999h"));
  CHECK(format_duration(90s) == "1m30s");
  CHECK(format_duration(7500ms) == "7s500ms");
  CHECK(format_duration(0ms) == "0s");
}

TEST_CASE("ambientd reads its config-cluster and remote-secret flags", "[cmd]") {
  auto p = parse("--kubeconfig", "/etc/k.yaml", "--insecure-kubeconfig-options",
                 "tokenFile, certificateAuthority", "--remote-sync-timeout", "1m");
  REQUIRE(p.result.outcome == parse_outcome::run);
  CHECK(p.options.kubeconfig == "/etc/k.yaml");
  CHECK(p.options.remote_sync_timeout == std::chrono::minutes{1});
  REQUIRE(std::holds_alternative<ambient::kube::kubeconfig_policy>(p.policy_or_error));
  CHECK(std::get<ambient::kube::kubeconfig_policy>(p.policy_or_error).allowed.size() == 2);
  auto defaults = parse();
  CHECK(defaults.options.remote_sync_timeout == std::chrono::seconds{30});
  CHECK(std::get<ambient::kube::kubeconfig_policy>(defaults.policy_or_error).allowed.empty());
}

TEST_CASE("ambientd refuses an unknown kubeconfig option and a zero sync timeout", "[cmd]") {
  auto bad = parse("--insecure-kubeconfig-options", "exec,telepathy");
  CHECK(bad.result.outcome == parse_outcome::error);
  CHECK(bad.result.message.find("--insecure-kubeconfig-options") != std::string::npos);
  CHECK(bad.result.message.find("telepathy") != std::string::npos);
  auto zero = parse("--remote-sync-timeout", "0s");
  CHECK(zero.result.outcome == parse_outcome::error);
  CHECK(zero.result.message.find("--remote-sync-timeout") != std::string::npos);
}

TEST_CASE("ambientd reads a stale-cluster limit, unlimited by default, and refuses a bad one",
          "[cmd]") {
  CHECK(parse().options.stale_cluster_limit == 0ms); // no limit, as istiod
  auto p = parse("--stale-cluster-limit", "10m");
  REQUIRE(p.result.outcome == parse_outcome::run);
  CHECK(p.options.stale_cluster_limit == std::chrono::minutes{10});
  CHECK(parse("--stale-cluster-limit", "0").result.outcome == parse_outcome::run);
  for (const char* bad : {"500ms", "ten minutes", "-1m", "5"}) {
    INFO(bad);
    auto r = parse("--stale-cluster-limit", bad);
    CHECK(r.result.outcome == parse_outcome::error);
    CHECK(r.result.message.find("--stale-cluster-limit") != std::string::npos);
  }
  CHECK(parse().usage.find("--stale-cluster-limit DURATION") != std::string::npos);
}

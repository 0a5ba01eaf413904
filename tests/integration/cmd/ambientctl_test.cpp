#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <stdlib.h>
#include <unistd.h>

#include "admin/http_server.hpp"
#include "support/child_process.hpp"

using ambient::admin::http_request;
using ambient::admin::http_response;
using ambient::admin::http_server;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using namespace std::chrono_literals;

namespace {

/// What one run of the ambientctl binary left behind.
struct ctl_run {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// `s` as one single-quoted bash word.
std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s)
    out += c == '\'' ? std::string{"'\\''"} : std::string{c};
  return out + "'";
}

/// The whole file at `path` (empty when it cannot be read).
std::string slurp(const std::string& path) {
  std::ifstream in{path};
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

/// Runs ambientctl with `args` to completion. child_process merges stdout and stderr into one
/// log, so a shell keeps them apart and reports the exit code on the log (then idles until
/// stopped, so the report is read before the process is reaped).
ctl_run run_ctl(const std::vector<std::string>& args) {
  char dir_template[] = "/tmp/ambientctl-test-XXXXXX";
  REQUIRE(mkdtemp(dir_template) != nullptr);
  const std::string dir = dir_template;
  std::string script = shell_quote(AMBIENTCTL_BINARY);
  for (const auto& a : args)
    script += " " + shell_quote(a);
  script += " >" + dir + "/out 2>" + dir + "/err; echo exit=$?; exec sleep 30";
  ctl_run r;
  {
    ambient::test::child_process shell{{"/bin/bash", "-c", script}, dir + "/log"};
    auto code = shell.wait_log(std::regex{"^exit=([0-9]+)$"}, 20s);
    REQUIRE(code.has_value());
    r.exit_code = std::stoi(*code);
  }
  r.out = slurp(dir + "/out");
  r.err = slurp(dir + "/err");
  std::filesystem::remove_all(dir);
  return r;
}

/// An admin server on 127.0.0.1 answering `path` with `response`.
std::unique_ptr<http_server> serve(const std::string& path, http_response response) {
  auto server = std::make_unique<http_server>(ambient::admin::http_server_options{});
  server->handle(path, [response](const http_request&) { return response; });
  server->start();
  return server;
}

/// A 200 response with a JSON body.
http_response json(std::string body) {
  return {200, "application/json", std::move(body), {}};
}

/// The server's HOST:PORT as --address takes it.
std::string address_of(const http_server& server) {
  return "127.0.0.1:" + std::to_string(server.port());
}

const std::string clusterz
    = R"([{"id":"config","secretName":"","syncStatus":"synced","state":"synced","lastError":"",)"
      R"("restarts":0,"generation":1,"since":"2026-11-27T08:00:00Z","informers":[]},)"
      R"({"id":"cluster-2","secretName":"istio-system/istio-remote-secret-cluster-2",)"
      R"("syncStatus":"timeout","state":"timeout","lastError":"dial tcp 10.0.0.2:6443: refused",)"
      R"("staleSeconds":42.5,"suspended":false}])";

} // namespace

TEST_CASE("ambientctl remote-clusters prints ambientd's clusters as a table", "[integration]") {
  auto server = serve("/debug/clusterz", json(clusterz));
  auto r = run_ctl({"remote-clusters", "--address", address_of(*server)});
  CHECK(r.exit_code == 0);
  CHECK(r.err.empty());
  CHECK(r.out
        == "NAME       SECRET                                      STATUS   STALE  LAST ERROR\n"
           "config     -                                           synced   -      -\n"
           "cluster-2  istio-system/istio-remote-secret-cluster-2  timeout  42s    dial tcp "
           "10.0.0.2:6443: refused\n");
}

TEST_CASE("ambientctl workloads filters and sorts ambientd's workloads", "[integration]") {
  auto server
      = serve("/debug/workloads",
              json(R"([{"name":"b","namespace":"ns1","cluster":"c1","addresses":["10.0.0.2"]},)"
                   R"({"name":"a","namespace":"ns1","cluster":"c1","addresses":["10.0.0.1"]},)"
                   R"({"name":"z","namespace":"ns2","cluster":"c1","addresses":[]}])"));
  auto r = run_ctl({"workloads", "--address=" + address_of(*server), "--namespace", "ns1"});
  CHECK(r.exit_code == 0);
  CHECK(r.out
        == "NAMESPACE  NAME  CLUSTER  ADDRESS   NODE  NETWORK  PROTOCOL  WAYPOINT\n"
           "ns1        a     c1       10.0.0.1  -     -        -         -\n"
           "ns1        b     c1       10.0.0.2  -     -        -         -\n");
}

TEST_CASE("ambientctl waypoints prints the waypoints and the objects naming one", "[integration]") {
  auto server = serve(
      "/debug/waypoints",
      json(R"({"waypoints":[{"cluster":"c1","namespace":"ns1","name":"wp","trafficType":"all",)"
           R"("address":{"namespace":"ns1","hostname":"wp.ns1.svc","hboneMtlsPort":15008},)"
           R"("allowedRoutes":{"from":"Same"},"services":1,"workloads":2}],)"
           R"("bindings":[{"cluster":"c1","kind":"Pod","object":"ns2/web-0","waypoint":"ns1/wp",)"
           R"("status":"AttachmentDenied","address":false}]})"));
  auto r = run_ctl({"waypoints", "--address=" + address_of(*server)});
  CHECK(r.exit_code == 0);
  CHECK(r.out
        == "CLUSTER  NAMESPACE  NAME  FOR  ADDRESS         ROUTES  SERVICES  WORKLOADS\n"
           "c1       ns1        wp    all  ns1/wp.ns1.svc  Same    1         2\n"
           "\n"
           "CLUSTER  KIND  OBJECT     WAYPOINT  STATUS\n"
           "c1       Pod   ns2/web-0  ns1/wp    AttachmentDenied\n");
  auto bad = run_ctl({"waypoints", "--address=" + address_of(*server), "--bogus", "x"});
  CHECK(bad.exit_code == 2);
}

namespace {

const std::string policies_body
    = R"([{"name":"apps/allow","namespace":"apps","scope":"WORKLOAD_SELECTOR","action":"ALLOW",)"
      R"("groups":1,"workloads":["c1//Pod/apps/a"]},)"
      R"({"name":"apps/deny","namespace":"apps","scope":"NAMESPACE","action":"DENY",)"
      R"("groups":2,"workloads":[]},)"
      R"({"name":"istio-system/istio_converted_static_strict","namespace":"istio-system",)"
      R"("scope":"WORKLOAD_SELECTOR","action":"DENY","groups":1,"workloads":["c1//Pod/apps/a"]}])";

const std::string policy_workloads_body
    = R"([{"uid":"c1//Pod/apps/a","name":"a","namespace":"apps","cluster":"c1","addresses":[],)"
      R"("authorizationPolicies":["istio-system/istio_converted_static_strict","apps/allow"]}])";

/// A debug port answering /debug/policies and /debug/workloads with these bodies.
std::unique_ptr<http_server> serve_policies(const std::string& policies,
                                            const std::string& workloads) {
  auto server = std::make_unique<http_server>(ambient::admin::http_server_options{});
  server->handle("/debug/policies", [policies](const http_request&) { return json(policies); });
  server->handle("/debug/workloads", [workloads](const http_request&) { return json(workloads); });
  server->start();
  return server;
}

} // namespace

TEST_CASE("ambientctl policies lists every policy or those of one workload in its order",
          "[integration]") {
  auto server = serve_policies(policies_body, policy_workloads_body);
  auto all = run_ctl({"policies", "--address", address_of(*server)});
  CHECK(all.exit_code == 0);
  CHECK(all.err.empty());
  CHECK(all.out
        == "NAME                                        SCOPE              ACTION  WORKLOADS\n"
           "apps/allow                                  WORKLOAD_SELECTOR  ALLOW   1\n"
           "apps/deny                                   NAMESPACE          DENY    0\n"
           "istio-system/istio_converted_static_strict  WORKLOAD_SELECTOR  DENY    1\n");
  auto one = run_ctl({"policies", "--address", address_of(*server), "--workload=c1//Pod/apps/a"});
  CHECK(one.exit_code == 0);
  CHECK(one.out
        == "NAME                                        SCOPE              ACTION  WORKLOADS\n"
           "istio-system/istio_converted_static_strict  WORKLOAD_SELECTOR  DENY    1\n"
           "apps/allow                                  WORKLOAD_SELECTOR  ALLOW   1\n");
}

TEST_CASE("ambientctl policies exits 1 for an unknown workload or a malformed body",
          "[integration]") {
  auto server = serve_policies(policies_body, policy_workloads_body);
  auto unknown = run_ctl({"policies", "--address", address_of(*server), "--workload", "c9//x"});
  CHECK(unknown.exit_code == 1);
  CHECK(unknown.out.empty());
  CHECK_THAT(unknown.err, Contains("serves no workload with uid \"c9//x\""));

  auto bad_policies = serve_policies(R"([{"name":"a/b","workloads":"x"}])", policy_workloads_body);
  auto p = run_ctl({"policies", "--address", address_of(*bad_policies)});
  CHECK(p.exit_code == 1);
  CHECK(p.out.empty());
  CHECK_THAT(p.err, Contains("malformed /debug/policies")
                        && Contains("element 0: \"workloads\" must be an array of strings"));

  auto bad_workloads = serve_policies(policies_body, "[{\"uid\":");
  auto w = run_ctl(
      {"policies", "--address", address_of(*bad_workloads), "--workload", "c1//Pod/apps/a"});
  CHECK(w.exit_code == 1);
  CHECK(w.out.empty());
  CHECK_THAT(w.err, Contains("malformed /debug/workloads") && Contains("not valid JSON"));
}

TEST_CASE("ambientctl exits 1 naming the status when ambientd answers HTTP 500", "[integration]") {
  auto server = serve("/debug/clusterz", {500, "text/plain", "cluster_store did not answer\n", {}});
  auto r = run_ctl({"remote-clusters", "--address", address_of(*server)});
  CHECK(r.exit_code == 1);
  CHECK(r.out.empty());
  CHECK_THAT(r.err, Contains("answered GET /debug/clusterz with HTTP 500")
                        && Contains("cluster_store did not answer"));
}

TEST_CASE("ambientctl exits 1 naming the problem when the body is malformed", "[integration]") {
  auto server
      = serve("/debug/clusterz", json(R"([{"id":"c1","syncStatus":"synced"},{"id":"c2"}])"));
  auto r = run_ctl({"remote-clusters", "--address", address_of(*server)});
  CHECK(r.exit_code == 1);
  CHECK(r.out.empty());
  CHECK_THAT(r.err, Contains("malformed /debug/clusterz")
                        && Contains("element 1: \"syncStatus\" is missing"));

  auto broken = serve("/debug/clusterz", json("[{\"id\":"));
  auto b = run_ctl({"remote-clusters", "--address", address_of(*broken)});
  CHECK(b.exit_code == 1);
  CHECK_THAT(b.err, Contains("not valid JSON"));
}

TEST_CASE("ambientctl exits 1 when nothing listens at the address", "[integration]") {
  auto server = serve("/debug/clusterz", json("[]"));
  const auto address = address_of(*server);
  server->stop();
  auto r = run_ctl({"remote-clusters", "--address", address});
  CHECK(r.exit_code == 1);
  CHECK(r.out.empty());
  CHECK_THAT(r.err, StartsWith("ambientctl: cannot reach ambientd at " + address + ": "));
}

TEST_CASE("ambientctl create-remote-secret prints a secret or refuses with exit 1",
          "[integration]") {
  char path_template[] = "/tmp/ambientctl-kubeconfig-XXXXXX";
  int fd = mkstemp(path_template);
  REQUIRE(fd >= 0);
  const std::string path = path_template;
  auto write = [&](const std::string& user) {
    std::ofstream{path} << "apiVersion: v1\ncurrent-context: c\n"
                           "clusters: [{name: k, cluster: {server: 'https://10.0.0.2:6443'}}]\n"
                           "contexts: [{name: c, context: {cluster: k, user: u}}]\n"
                           "users: [{name: u, user: "
                        << user << "}]\n";
  };
  write("{token: abc}");
  auto ok = run_ctl({"create-remote-secret", "--kubeconfig", path, "--name", "east"});
  CHECK(ok.exit_code == 0);
  CHECK_THAT(ok.out, Contains("name: istio-remote-secret-east") && Contains("east: |"));

  write("{exec: {command: /bin/sh}}");
  auto refused = run_ctl({"create-remote-secret", "--kubeconfig", path, "--name", "east"});
  CHECK(refused.exit_code == 1);
  CHECK(refused.out.empty());
  CHECK_THAT(refused.err, Contains("users[u].user.exec is not allowed"));
  ::close(fd);
  std::remove(path.c_str());

  auto missing = run_ctl({"create-remote-secret", "--kubeconfig", path, "--name", "east"});
  CHECK(missing.exit_code == 1);
  CHECK_THAT(missing.err, Contains("cannot read " + path));
}

TEST_CASE("ambientctl exits 2 for an unknown command or flag", "[integration]") {
  auto unknown = run_ctl({"frobnicate"});
  CHECK(unknown.exit_code == 2);
  CHECK_THAT(unknown.err, Contains("unknown command \"frobnicate\"") && Contains("Usage:"));
  auto flag = run_ctl({"workloads", "--no-such-flag"});
  CHECK(flag.exit_code == 2);
  CHECK_THAT(flag.err, Contains("unknown flag --no-such-flag"));
  CHECK(run_ctl({}).exit_code == 2);
}

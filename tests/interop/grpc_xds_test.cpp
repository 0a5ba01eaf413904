// Interop: gRPC's own xDS client (Debian's libgrpc, `xds:///` target, GRPC_XDS_BOOTSTRAP) against
// the ambientd binary, which watches a kube-sim fleet. Two remote clusters run pods whose IPs are
// 127.0.0.x addresses where real gRPC echo servers listen; the client's calls must reach the
// backends the mesh view says, as pods and clusters come and go, and gRPC must never NACK.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <thread>

#include <grpcpp/grpcpp.h>

#include "interop/echo.grpc.pb.h"
#include "sim/fleet.hpp"
#include "sim/json.hpp"
#include "sim/objects.hpp"
#include "sim/resources.hpp"
#include "support/ambientd_harness.hpp"

using namespace ambient;
using namespace std::chrono_literals;

namespace {

constexpr const char* echo_target = "xds:///echo.echo.svc.cluster.local:7070";

/// An echo backend: answers every call with its own name.
class echo_service final : public ambient::test::Echo::Service {
public:
  explicit echo_service(std::string name) : name_(std::move(name)) {}
  grpc::Status Echo(grpc::ServerContext*, const ambient::test::EchoRequest* req,
                    ambient::test::EchoReply* reply) override {
    reply->set_message(req->message());
    reply->set_server(name_);
    return grpc::Status::OK;
  }

private:
  std::string name_;
};

struct backend {
  std::string cluster, pod, ip;
  std::unique_ptr<echo_service> service;
  std::unique_ptr<grpc::Server> server;
};

/// Starts one echo server per (cluster, pod, ip) on one port shared by all; returns the port.
int start_backends(std::vector<backend>& backends) {
  int port = 0;
  for (auto& b : backends) {
    b.service = std::make_unique<echo_service>(b.cluster + "/" + b.pod);
    grpc::ServerBuilder sb;
    int bound = 0;
    sb.AddListeningPort(b.ip + ":" + std::to_string(port), grpc::InsecureServerCredentials(),
                        &bound);
    sb.RegisterService(b.service.get());
    b.server = sb.BuildAndStart();
    REQUIRE(b.server);
    REQUIRE(bound > 0);
    port = bound;
  }
  return port;
}

/// The echo namespace, the global echo service, and one pod per backend of this cluster.
void seed_echo(sim::sim_cluster& c, const std::vector<backend>& backends, int target_port) {
  auto now = std::chrono::system_clock::now();
  test::must_create(c, "namespaces", "", sim::make_namespace_json("echo", {}, now));
  test::must_create(c, "services", "echo",
                    sim::make_service_json("echo", "echo", {{"app", "echo"}}, "172.16.0.10",
                                           {{"grpc", 7070, std::to_string(target_port)}}, now,
                                           {{"istio.io/global", "true"}}));
  for (const auto& b : backends) {
    if (b.cluster != c.name())
      continue;
    sim::pod_params p;
    p.namespace_ = "echo";
    p.name = b.pod;
    p.node_name = "node-1";
    p.pod_ip = b.ip;
    p.labels = {{"app", "echo"}};
    p.owner_name = "echo-7d9c6b5f4";
    p.container_ports = {{"grpc", target_port}};
    test::must_create(c, "pods", "echo", sim::make_pod_json(p, now));
  }
}

/// How many of `calls` calls each backend served ("error" counts failed calls).
std::map<std::string, int> spread(ambient::test::Echo::Stub& stub, int calls) {
  std::map<std::string, int> out;
  for (int i = 0; i < calls; ++i) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + 2s);
    ambient::test::EchoRequest req;
    req.set_message("hello");
    ambient::test::EchoReply reply;
    auto status = stub.Echo(&ctx, req, &reply);
    ++out[status.ok() ? reply.server() : "error"];
  }
  return out;
}

std::set<std::string> keys(const std::map<std::string, int>& m) {
  std::set<std::string> out;
  for (const auto& [k, v] : m)
    out.insert(k);
  return out;
}

/// Calls in rounds of 24 until one round is served by exactly `expected`; the last round's
/// backends otherwise.
std::set<std::string> converge(ambient::test::Echo::Stub& stub,
                               const std::set<std::string>& expected) {
  std::set<std::string> seen;
  for (auto deadline = std::chrono::steady_clock::now() + 30s;
       std::chrono::steady_clock::now() < deadline;) {
    seen = keys(spread(stub, 24));
    if (seen == expected)
      return seen;
    std::this_thread::sleep_for(100ms);
  }
  return seen;
}

} // namespace

TEST_CASE("gRPC's xDS client reaches the backends of the merged view, in both clusters, as pods "
          "and clusters change",
          "[interop]") {
  std::vector<backend> backends(4);
  backends[0] = {"cluster-2", "echo-a", "127.0.0.11", {}, {}};
  backends[1] = {"cluster-2", "echo-b", "127.0.0.12", {}, {}};
  backends[2] = {"cluster-3", "echo-a", "127.0.0.21", {}, {}};
  backends[3] = {"cluster-3", "echo-b", "127.0.0.22", {}, {}};
  int port = start_backends(backends);

  test::ambientd_harness h{3, "ambientd-grpc-xds"};
  auto& config = h.cluster(0);
  seed_echo(h.cluster(1), backends, port);
  seed_echo(h.cluster(2), backends, port);
  test::put_remote_secret(config, "istio-remote-secret-cluster-2", h.cluster(1));
  test::put_remote_secret(config, "istio-remote-secret-cluster-3", h.cluster(2));
  h.start();
  REQUIRE(h.wait_log(R"(merged view: clusters \[cluster-1,cluster-2,cluster-3\])"));

  auto bootstrap = h.dir.path / "bootstrap.json";
  std::ofstream{bootstrap}
      << R"({"xds_servers":[{"server_uri":"127.0.0.1:)" << h.xds_port
      << R"(","channel_creds":[{"type":"insecure"}],"server_features":["xds_v3"]}],)"
      << R"("node":{"id":"echo-client~127.0.0.1~client.echo~echo.svc.cluster.local","cluster":"echo-client"}})";
  ::setenv("GRPC_XDS_BOOTSTRAP", bootstrap.c_str(), 1);
  auto channel = grpc::CreateChannel(echo_target, grpc::InsecureChannelCredentials());
  auto stub = ambient::test::Echo::NewStub(channel);

  SECTION("calls reach every pod of both clusters, then follow the view") {
    CHECK(converge(*stub,
                   {"cluster-2/echo-a", "cluster-2/echo-b", "cluster-3/echo-a", "cluster-3/echo-b"})
          == std::set<std::string>{"cluster-2/echo-a", "cluster-2/echo-b", "cluster-3/echo-a",
                                   "cluster-3/echo-b"});

    // A deleted pod leaves the endpoints, though its server still listens.
    test::must_remove(h.cluster(1), "pods", "echo", "echo-a");
    CHECK(converge(*stub, {"cluster-2/echo-b", "cluster-3/echo-a", "cluster-3/echo-b"})
          == std::set<std::string>{"cluster-2/echo-b", "cluster-3/echo-a", "cluster-3/echo-b"});

    // A cluster whose API server goes down keeps its last-known-good endpoints (stale). A pod
    // that appears in cluster-2 after that is reached: gRPC got an update made after the stale
    // report, and cluster-3's endpoints were still in it.
    h.cluster(2).down();
    REQUIRE(h.wait_log(R"(cluster cluster-3: stale)"));
    test::must_create_pod(h.cluster(1), "echo", "echo-a", "127.0.0.11", {{"app", "echo"}});
    CHECK(converge(*stub,
                   {"cluster-2/echo-a", "cluster-2/echo-b", "cluster-3/echo-a", "cluster-3/echo-b"})
          == std::set<std::string>{"cluster-2/echo-a", "cluster-2/echo-b", "cluster-3/echo-a",
                                   "cluster-3/echo-b"});

    // Deleting its secret withdraws it: traffic moves to what is left.
    test::must_remove(config, "secrets", "istio-system", "istio-remote-secret-cluster-3");
    CHECK(converge(*stub, {"cluster-2/echo-a", "cluster-2/echo-b"})
          == std::set<std::string>{"cluster-2/echo-a", "cluster-2/echo-b"});

    // gRPC accepted every resource: no NACK in ambientd's log, and gRPC's streams were SotW ADS.
    CHECK(h.ambientd->count_log(std::regex{R"(rejected type\.googleapis\.com)"}) == 0);
    CHECK(h.ambientd->count_log(std::regex{R"(stream \d+ \(sotw\) opened)"}) >= 1);
  }
  stub.reset();
  channel.reset();
  CHECK(h.ambientd->stop() == 0);
  for (auto& b : backends)
    b.server->Shutdown(std::chrono::system_clock::now() + 1s);
}

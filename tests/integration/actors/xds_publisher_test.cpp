#include <catch2/catch.hpp>

#include <thread>

#include <caf/all.hpp>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include "actors/xds_publisher.hpp"
#include "envoy/service/discovery/v3/ads.grpc.pb.h"
#include "mesh/policy_store.hpp"
#include "messages/type_ids.hpp"
#include "support/actor_fixture.hpp"
#include "support/delta_client.hpp"
#include "support/xds_server.hpp"
#include "xds/type_urls.hpp"

using namespace ambient;
using namespace std::chrono_literals;
using envoy::service::discovery::v3::AggregatedDiscoveryService;
using envoy::service::discovery::v3::DeltaDiscoveryRequest;
using envoy::service::discovery::v3::DeltaDiscoveryResponse;
using test::resource_names;

namespace {

/// A workload at 10.0.0.<last>.
mesh::address_ptr workload(const std::string& uid, char last) {
  istio::workload::Address a;
  auto* w = a.mutable_workload();
  w->set_uid(uid);
  w->set_name(uid.substr(uid.rfind('/') + 1));
  w->set_namespace_("demo");
  w->add_addresses(std::string{'\x0a', '\0', '\0', last});
  return mesh::make_resource(uid, std::move(a));
}

messages::mesh_delta_ptr delta(uint64_t version, std::vector<mesh::address_ptr> up,
                               std::vector<std::string> removed = {}) {
  auto d = std::make_shared<mesh::mesh_delta>();
  d->version = version;
  d->upserted = std::move(up);
  d->removed = std::move(removed);
  return d;
}

/// ambientd's ADS service on 127.0.0.1 (a port the kernel picks) in front of an xds_publisher.
struct xds_fixture : test::live_actor_fixture {
  telemetry::registry metrics;
  caf::actor publisher;
  xds::ads_service service;
  std::unique_ptr<grpc::Server> server;
  int port = 0;

  explicit xds_fixture(std::chrono::milliseconds push_interval = 5ms)
    : publisher(sys.spawn(actors::xds_publisher_impl,
                          actors::xds_publisher_config{&metrics, {}, push_interval})),
      service(actors::forward_to(publisher)) {
    grpc::ServerBuilder b;
    b.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    b.RegisterService(&service);
    server = b.BuildAndStart();
    REQUIRE(server);
    REQUIRE(port > 0);
  }

  ~xds_fixture() {
    test::stop_server_and_publisher(sys, *server, publisher);
  }

  size_t open_streams() {
    caf::scoped_actor self{sys};
    size_t n = 0;
    self->request(publisher, 5s, atom::status_v)
        .receive([&](size_t x) { n = x; }, [&](const caf::error& e) { FAIL(caf::to_string(e)); });
    return n;
  }
};

/// A publisher that holds table changes for 5 s after each push: long enough that the test's
/// two sends always land inside it on a loaded machine, well inside the client's deadline.
struct held_push_fixture : xds_fixture {
  held_push_fixture() : xds_fixture(5s) {}
};

/// A delta ADS client stream with a deadline, so a missing response fails instead of hanging.
struct client {
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<AggregatedDiscoveryService::Stub> stub;
  grpc::ClientContext ctx;
  std::unique_ptr<grpc::ClientReaderWriter<DeltaDiscoveryRequest, DeltaDiscoveryResponse>> stream;

  explicit client(int port)
    : channel(grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                                  grpc::InsecureChannelCredentials())),
      stub(AggregatedDiscoveryService::NewStub(channel)) {
    ctx.set_deadline(std::chrono::system_clock::now() + 20s);
    stream = stub->DeltaAggregatedResources(&ctx);
  }

  void send(std::vector<std::string> subscribe, const std::string& nonce = "",
            const std::string& error = "",
            std::string type_url = std::string{xds::address_type_url}) {
    DeltaDiscoveryRequest r;
    r.set_type_url(type_url);
    for (auto& s : subscribe)
      r.add_resource_names_subscribe(s);
    r.set_response_nonce(nonce);
    if (!error.empty()) {
      r.mutable_error_detail()->set_code(3);
      r.mutable_error_detail()->set_message(error);
    }
    REQUIRE(stream->Write(r));
  }

  DeltaDiscoveryResponse read() {
    DeltaDiscoveryResponse r;
    REQUIRE(stream->Read(&r));
    return r;
  }
};

} // namespace

TEST_CASE_METHOD(xds_fixture, "a wildcard delta stream gets the view, then only what changed",
                 "[actors][integration]") {
  caf::anon_send(publisher, delta(1, {workload("c1//Pod/demo/a", '\x01'),
                                      workload("c1//Pod/demo/b", '\x02')}));
  client c{port};
  c.send({"*"});
  auto first = c.read();
  CHECK(first.type_url() == xds::address_type_url);
  CHECK(resource_names(first) == std::vector<std::string>{"c1//Pod/demo/a", "c1//Pod/demo/b"});
  // What the client decodes is the Address the mesh built.
  istio::workload::Address a;
  REQUIRE(first.resources(0).resource().UnpackTo(&a));
  CHECK(a.workload().uid() == "c1//Pod/demo/a");
  c.send({}, first.nonce()); // ACK
  caf::anon_send(publisher, delta(2, {workload("c1//Pod/demo/c", '\x03')}, {"c1//Pod/demo/a"}));
  auto second = c.read();
  CHECK(resource_names(second) == std::vector<std::string>{"c1//Pod/demo/c"});
  REQUIRE(second.removed_resources_size() == 1);
  CHECK(second.removed_resources(0) == "c1//Pod/demo/a");
  CHECK(second.nonce() != first.nonce());
}

TEST_CASE_METHOD(xds_fixture,
                 "on-demand names are answered, unknown ones removed, and a NACK or an unknown "
                 "type leaves the stream working",
                 "[actors][integration]") {
  caf::anon_send(publisher, delta(1, {workload("c1//Pod/demo/a", '\x01'),
                                      workload("c1//Pod/demo/b", '\x02')}));
  client c{port};
  c.send({"c1//Pod/demo/b", "c1//Pod/demo/missing"});
  auto r = c.read();
  CHECK(resource_names(r) == std::vector<std::string>{"c1//Pod/demo/b"});
  REQUIRE(r.removed_resources_size() == 1);
  CHECK(r.removed_resources(0) == "c1//Pod/demo/missing");
  c.send({}, r.nonce(), "resource rejected by the client");  // NACK
  c.send({"x"}, "", "", "type.googleapis.com/no.such.Type"); // ignored with a warning
  // Both reached the publisher and were counted (a write completing on the client is no proof).
  auto& rejects = metrics.add_counter("pilot_total_xds_rejects",
                                      "xDS responses rejected (NACKed) by clients, by type.",
                                      {{"type", "wds"}});
  auto& unknown = metrics.add_counter("ambientd_xds_unknown_type_requests_total",
                                      "xDS requests for a type URL ambientd does not serve.");
  for (int i = 0; i < 500 && (rejects.value() == 0 || unknown.value() == 0); ++i)
    std::this_thread::sleep_for(20ms);
  CHECK(rejects.value() == 1);
  CHECK(unknown.value() == 1);
  caf::anon_send(publisher, delta(2, {workload("c1//Pod/demo/b", '\x09')}));
  auto next = c.read(); // newer versions still flow after a NACK
  CHECK(resource_names(next) == std::vector<std::string>{"c1//Pod/demo/b"});
}

TEST_CASE_METHOD(xds_fixture, "a client that goes away is forgotten and others keep being served",
                 "[actors][integration]") {
  caf::anon_send(publisher, delta(1, {workload("c1//Pod/demo/a", '\x01')}));
  {
    client gone{port};
    gone.send({"*"});
    gone.read();
    gone.ctx.TryCancel();
  }
  client stays{port};
  stays.send({"*"});
  CHECK(resource_names(stays.read()) == std::vector<std::string>{"c1//Pod/demo/a"});
  bool one_left = false;
  for (int i = 0; i < 100 && !one_left; ++i) {
    one_left = open_streams() == 1;
    if (!one_left)
      std::this_thread::sleep_for(50ms);
  }
  CHECK(one_left);
}

TEST_CASE_METHOD(held_push_fixture,
                 "a change after a quiet spell is pushed at once, changes within the push "
                 "interval go out together",
                 "[actors][integration]") {
  client c{port};
  c.send({"*"});
  CHECK(resource_names(c.read()).empty()); // a request's response is never held
  caf::anon_send(publisher, delta(1, {workload("c1//Pod/demo/a", '\x01')}));
  CHECK(resource_names(c.read()) == std::vector<std::string>{"c1//Pod/demo/a"});
  // Within the interval after that push: held, then sent as one response.
  caf::anon_send(publisher, delta(2, {workload("c1//Pod/demo/b", '\x02')}));
  caf::anon_send(publisher, delta(3, {workload("c1//Pod/demo/c", '\x03')}, {"c1//Pod/demo/a"}));
  auto held = c.read();
  CHECK(resource_names(held) == std::vector<std::string>{"c1//Pod/demo/b", "c1//Pod/demo/c"});
  REQUIRE(held.removed_resources_size() == 1);
  CHECK(held.removed_resources(0) == "c1//Pod/demo/a");
}

TEST_CASE_METHOD(xds_fixture, "a client that never ACKs still gets the latest state",
                 "[actors][integration]") {
  caf::anon_send(publisher, delta(1, {workload("c1//Pod/demo/a", '\x01')}));
  client c{port};
  c.send({"*"});
  CHECK(resource_names(c.read()) == std::vector<std::string>{"c1//Pod/demo/a"});
  // No ACK, ever: the publisher does not wait for one, and changes keep flowing.
  caf::anon_send(publisher, delta(2, {workload("c1//Pod/demo/b", '\x02')}));
  CHECK(resource_names(c.read()) == std::vector<std::string>{"c1//Pod/demo/b"});
  caf::anon_send(publisher, delta(3, {workload("c1//Pod/demo/c", '\x03')}));
  CHECK(resource_names(c.read()) == std::vector<std::string>{"c1//Pod/demo/c"});
}

TEST_CASE_METHOD(xds_fixture,
                 "a request that is not a DeltaDiscoveryRequest ends that stream and no other",

                 "[actors][integration]") {
  caf::anon_send(publisher, delta(1, {workload("c1//Pod/demo/a", '\x01')}));
  client good{port};
  good.send({"*"});
  CHECK(resource_names(good.read()) == std::vector<std::string>{"c1//Pod/demo/a"});

  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                                     grpc::InsecureChannelCredentials());
  grpc::GenericStub stub{channel};
  grpc::CompletionQueue cq;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + 10s);
  auto call = stub.PrepareCall(
      &ctx, "/envoy.service.discovery.v3.AggregatedDiscoveryService/DeltaAggregatedResources", &cq);
  auto step = [&](int tag) {
    void* got = nullptr;
    bool ok = false;
    REQUIRE(cq.Next(&got, &ok));
    CHECK(got == reinterpret_cast<void*>(static_cast<intptr_t>(tag)));
    return ok;
  };
  auto tag = [](int t) {
    return reinterpret_cast<void*>(static_cast<intptr_t>(t));
  };
  call->StartCall(tag(1));
  step(1);
  const char garbage[] = "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01";
  grpc::Slice slice{garbage, sizeof garbage - 1};
  grpc::ByteBuffer bytes{&slice, 1};
  call->Write(bytes, tag(2));
  step(2);
  grpc::ByteBuffer reply;
  call->Read(&reply, tag(3));
  CHECK_FALSE(step(3)); // no response: the stream is over
  grpc::Status status;
  call->Finish(&status, tag(4));
  step(4);
  // gRPC reports a request that does not parse to the server as the end of the client's side
  // (as for any streaming method), so the server ends the stream; the status cannot say more.
  cq.Shutdown();
  void* ignored = nullptr;
  bool ok = false;
  while (cq.Next(&ignored, &ok)) {
  }

  // The good stream is still served.
  good.send({}, "1");
  caf::anon_send(publisher, delta(2, {workload("c1//Pod/demo/b", '\x02')}));
  CHECK(resource_names(good.read()) == std::vector<std::string>{"c1//Pod/demo/b"});
}

TEST_CASE_METHOD(xds_fixture, "the debug status counts the Authorization resources served",
                 "[actors][integration]") {
  auto d = std::make_shared<mesh::mesh_delta>();
  d->version = 1;
  d->upserted = {workload("c1//Pod/demo/a", '\x01')};
  for (const char* name : {"allow", "deny"}) {
    istio::security::Authorization a;
    a.set_name(name);
    a.set_namespace_("demo");
    d->authorizations_upserted.push_back(mesh::make_authorization(std::move(a)));
  }
  caf::anon_send(publisher, messages::mesh_delta_ptr{std::move(d)});
  caf::scoped_actor self{sys};
  auto authorizations = [&] {
    size_t n = 0;
    self->request(publisher, 5s, atom::debug_v)
        .receive(
            [&](const messages::xds_status& s) {
              for (const auto& t : s.tables)
                if (t.type_url == xds::authorization_type_url)
                  n = t.resources;
            },
            [&](const caf::error& e) { FAIL(caf::to_string(e)); });
    return n;
  };
  // The ask queues behind the delta in the publisher's mailbox.
  CHECK(authorizations() == 2);
  auto removal = std::make_shared<mesh::mesh_delta>();
  removal->version = 2;
  removal->authorizations_removed = {"demo/deny"};
  caf::anon_send(publisher, messages::mesh_delta_ptr{std::move(removal)});
  CHECK(authorizations() == 1);
}

#include <catch2/catch.hpp>

#include <google/protobuf/any.pb.h>

#include "istio/security/authorization.pb.h"
#include "istio/workload/workload.pb.h"

namespace {

/// The field number of `message.field` in our generated descriptors.
int field_number(const google::protobuf::Descriptor* d, const std::string& field) {
  const auto* f = d->FindFieldByName(field);
  REQUIRE(f != nullptr);
  return f->number();
}

} // namespace

TEST_CASE("istio.workload messages keep upstream names and field numbers", "[proto]") {
  using namespace istio::workload;
  CHECK(Address::descriptor()->full_name() == "istio.workload.Address");
  CHECK(field_number(Address::descriptor(), "workload") == 1);
  CHECK(field_number(Address::descriptor(), "service") == 2);
  CHECK(field_number(Workload::descriptor(), "uid") == 20);
  CHECK(field_number(Workload::descriptor(), "addresses") == 3);
  CHECK(field_number(Workload::descriptor(), "hostname") == 21);
  CHECK(field_number(Service::descriptor(), "hostname") == 3);
  CHECK(istio::security::Authorization::descriptor()->full_name()
        == "istio.security.Authorization");
  CHECK(field_number(istio::security::Authorization::descriptor(), "groups") == 5);
  CHECK(field_number(istio::security::Group::descriptor(), "rules") == 1);
  CHECK(field_number(istio::security::Rules::descriptor(), "matches") == 2);
  CHECK(field_number(istio::security::Match::descriptor(), "service_accounts") == 11);
}

TEST_CASE("an Address packed in Any carries ztunnel's type URL and round-trips", "[proto]") {
  istio::workload::Address in;
  auto* w = in.mutable_workload();
  w->set_uid("cluster-1//Pod/default/echo-0");
  w->set_name("echo-0");
  w->set_namespace_("default");
  w->add_addresses(std::string{"\x0a\x00\x00\x07", 4});
  google::protobuf::Any any;
  any.PackFrom(in);
  CHECK(any.type_url() == "type.googleapis.com/istio.workload.Address");

  std::string wire;
  REQUIRE(any.SerializeToString(&wire));
  google::protobuf::Any any2;
  REQUIRE(any2.ParseFromString(wire));
  istio::workload::Address out;
  REQUIRE(any2.UnpackTo(&out));
  REQUIRE(out.has_workload());
  CHECK(out.workload().uid() == "cluster-1//Pod/default/echo-0");
  CHECK(out.workload().addresses(0).size() == 4);
}

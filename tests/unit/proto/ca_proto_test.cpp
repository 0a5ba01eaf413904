#include <catch2/catch.hpp>

#include <google/protobuf/struct.pb.h>

#include "istio/security/ca.grpc.pb.h"
#include "istio/security/ca.pb.h"

namespace {

/// The field of `message.field` in our generated descriptors.
const google::protobuf::FieldDescriptor* field(const google::protobuf::Descriptor* d,
                                               const std::string& name) {
  const auto* f = d->FindFieldByName(name);
  REQUIRE(f != nullptr);
  return f;
}

} // namespace

TEST_CASE("istio.v1.auth messages keep ztunnel names and field numbers", "[proto][ca]") {
  using google::protobuf::FieldDescriptor;
  const auto* req = istio::v1::auth::IstioCertificateRequest::descriptor();
  CHECK(req->full_name() == "istio.v1.auth.IstioCertificateRequest");
  CHECK(req->field_count() == 3);
  CHECK(field(req, "csr")->number() == 1);
  CHECK(field(req, "csr")->type() == FieldDescriptor::TYPE_STRING);
  CHECK(field(req, "validity_duration")->number() == 3);
  CHECK(field(req, "validity_duration")->type() == FieldDescriptor::TYPE_INT64);
  CHECK(field(req, "metadata")->number() == 4);
  CHECK(field(req, "metadata")->message_type()->full_name() == "google.protobuf.Struct");
  const auto* resp = istio::v1::auth::IstioCertificateResponse::descriptor();
  CHECK(resp->full_name() == "istio.v1.auth.IstioCertificateResponse");
  CHECK(resp->field_count() == 1);
  CHECK(field(resp, "cert_chain")->number() == 1);
  CHECK(field(resp, "cert_chain")->is_repeated());
  CHECK(field(resp, "cert_chain")->type() == FieldDescriptor::TYPE_STRING);
}

TEST_CASE("the CreateCertificate method path is the one ztunnel calls", "[proto][ca]") {
  const auto* file = istio::v1::auth::IstioCertificateRequest::descriptor()->file();
  const auto* service = file->FindServiceByName("IstioCertificateService");
  REQUIRE(service != nullptr);
  CHECK(service->full_name() == "istio.v1.auth.IstioCertificateService");
  REQUIRE(service->method_count() == 1);
  const auto* method = service->FindMethodByName("CreateCertificate");
  REQUIRE(method != nullptr);
  CHECK("/" + service->full_name() + "/" + method->name()
        == "/istio.v1.auth.IstioCertificateService/CreateCertificate");
  CHECK(method->input_type() == istio::v1::auth::IstioCertificateRequest::descriptor());
  CHECK(method->output_type() == istio::v1::auth::IstioCertificateResponse::descriptor());
  CHECK_FALSE(method->client_streaming());
  CHECK_FALSE(method->server_streaming());
  // The generated stub calls the same path.
  CHECK(std::string{istio::v1::auth::IstioCertificateService::service_full_name()}
        == "istio.v1.auth.IstioCertificateService");
}

TEST_CASE("a certificate request and response round-trip through the wire format", "[proto][ca]") {
  istio::v1::auth::IstioCertificateRequest in;
  in.set_csr("-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n");
  in.set_validity_duration(86400);
  (*in.mutable_metadata()->mutable_fields())["ImpersonatedIdentity"].set_string_value(
      "spiffe://cluster.local/ns/a/sa/b");
  istio::v1::auth::IstioCertificateRequest out;
  REQUIRE(out.ParseFromString(in.SerializeAsString()));
  CHECK(out.csr() == in.csr());
  CHECK(out.validity_duration() == 86400);
  CHECK(out.metadata().fields().at("ImpersonatedIdentity").string_value()
        == "spiffe://cluster.local/ns/a/sa/b");
  // Field 3 as a varint: tag (3 << 3 | 0) = 0x18, then 86400 = 0x80 0xa3 0x05.
  istio::v1::auth::IstioCertificateRequest only_ttl;
  only_ttl.set_validity_duration(86400);
  CHECK(only_ttl.SerializeAsString() == std::string{"\x18\x80\xa3\x05"});

  istio::v1::auth::IstioCertificateResponse resp;
  resp.add_cert_chain("leaf\n");
  resp.add_cert_chain("root\n");
  istio::v1::auth::IstioCertificateResponse back;
  REQUIRE(back.ParseFromString(resp.SerializeAsString()));
  REQUIRE(back.cert_chain_size() == 2);
  CHECK(back.cert_chain(0) == "leaf\n");
  CHECK(back.cert_chain(1) == "root\n");
  CHECK(resp.SerializeAsString().substr(0, 2) == std::string{"\x0a\x05"});
}

#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "envoy/service/discovery/v3/ads.grpc.pb.h"
#include "istio/security/ca.grpc.pb.h"
#include "sim/cluster.hpp"
#include "sim/json.hpp"
#include "sim/resources.hpp"
#include "support/sim_tokens.hpp"
#include "unit/ca/openssl_cli.hpp"

/// A caller of ambientd's TLS listener that speaks as ztunnel 1.28.3 does (the reference's
/// ztunnel-control-plane-facts): bearer token and `clusterid` metadata, a delta Address
/// subscription with ztunnel's node, and CreateCertificate for a fresh P-256 key.
namespace ambient::test {

/// What a ztunnel sends: the token (if any) and the cluster it runs in.
struct ztunnel_caller {
  std::string token;
  std::string cluster;
  void decorate(grpc::ClientContext& ctx) const {
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds{15});
    if (!token.empty())
      ctx.AddMetadata("authorization", "Bearer " + token);
    ctx.AddMetadata("clusterid", cluster);
  }
};

/// The first Address response, or the status the stream ended with.
struct address_result {
  bool served = false;
  size_t resources = 0;
  grpc::Status status;
};

/// Opens a delta Address stream as ztunnel-x (istio-system, node-a) and waits for the first
/// response.
inline address_result subscribe(const std::shared_ptr<grpc::Channel>& ch,
                                const ztunnel_caller& who) {
  auto stub = envoy::service::discovery::v3::AggregatedDiscoveryService::NewStub(ch);
  grpc::ClientContext ctx;
  who.decorate(ctx);
  auto stream = stub->DeltaAggregatedResources(&ctx);
  envoy::service::discovery::v3::DeltaDiscoveryRequest req;
  req.set_type_url("type.googleapis.com/istio.workload.Address");
  req.mutable_node()->set_id(
      "ztunnel~10.0.0.5~ztunnel-x.istio-system~istio-system.svc.cluster.local");
  auto& md = *req.mutable_node()->mutable_metadata()->mutable_fields();
  md["NAME"].set_string_value("ztunnel-x");
  md["NAMESPACE"].set_string_value("istio-system");
  md["INSTANCE_IPS"].set_string_value("10.0.0.5");
  md["NODE_NAME"].set_string_value("node-a");
  md["CLUSTER_ID"].set_string_value(who.cluster);
  address_result out;
  stream->Write(req);
  envoy::service::discovery::v3::DeltaDiscoveryResponse resp;
  if (stream->Read(&resp)) {
    out.served = true;
    out.resources = static_cast<size_t>(resp.resources_size());
    ctx.TryCancel();
  }
  stream->WritesDone();
  out.status = stream->Finish();
  return out;
}

/// CreateCertificate for a new P-256 key asking for `identity`, as ztunnel's shared mode does:
/// the identity also named in the ImpersonatedIdentity metadata.
inline grpc::Status create_certificate(const std::shared_ptr<grpc::Channel>& ch,
                                       const ztunnel_caller& who, const ca_test::temp_dir& dir,
                                       const std::string& identity,
                                       std::vector<std::string>* chain = nullptr) {
  auto stub = istio::v1::auth::IstioCertificateService::NewStub(ch);
  grpc::ClientContext ctx;
  who.decorate(ctx);
  istio::v1::auth::IstioCertificateRequest req;
  req.set_csr(ca_test::p256_csr(dir, identity));
  req.set_validity_duration(24 * 3600);
  (*req.mutable_metadata()->mutable_fields())["ImpersonatedIdentity"].set_string_value(identity);
  istio::v1::auth::IstioCertificateResponse resp;
  auto status = stub->CreateCertificate(&ctx, req, &resp);
  if (chain)
    chain->assign(resp.cert_chain().begin(), resp.cert_chain().end());
  return status;
}

/// Creates ztunnel's service account and its pod ztunnel-x on node-a in istio-system of the
/// cluster at `base` (through `cl`), and returns a caller with a token bound to that pod, naming
/// `cluster` as its clusterid.
inline ztunnel_caller ztunnel_on_node_a(https_client& cl, const std::string& base,
                                        const std::string& cluster) {
  create_service_account(cl, base, "istio-system", "ztunnel");
  create_pod_as(cl, base, "istio-system", "ztunnel-x", "ztunnel", "node-a");
  return {bound_token(cl, base, "istio-system", "ztunnel", "ztunnel-x"), cluster};
}

/// The roots ztunnel mounts: the `root-cert.pem` of ConfigMap istio-ca-root-cert in namespace `ns`
/// of `c` ("" when none).
inline std::string published_root(sim::sim_cluster& c, const std::string& ns) {
  auto got = c.data().get(*sim::find_resource("", "v1", "configmaps"), ns, "istio-ca-root-cert");
  auto doc = !got.error && got.object ? sim::parse_json(got.object->json, nullptr) : std::nullopt;
  const auto* pem = doc ? sim::find_path(*doc, {"data", "root-cert.pem"}) : nullptr;
  return pem && pem->is_string() ? pem->get<std::string>() : "";
}

} // namespace ambient::test

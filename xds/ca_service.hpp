#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "ca/signer.hpp"
#include "istio/security/ca.grpc.pb.h"
#include "telemetry/metrics.hpp"
#include "xds/caller_authenticator.hpp"

/// istiod's certificate service (istio.v1.auth.IstioCertificateService/CreateCertificate) on the
/// TLS listener, next to ADS: ztunnel and other callers get workload certificates for the
/// identity they authenticated as, or, for a trusted node agent, for a pod on its node.
namespace ambient::xds {

/// Decides whether a caller may ask for another identity (istiod's node authorizer): calls `done`
/// once, on any thread, with "" to allow or the reason to refuse.
using impersonation_check
    = std::function<void(const caller_verdict& caller, const std::string& requested_identity,
                         std::function<void(std::string)> done)>;

/// Runs a signing off the thread that delivered the caller's verdict (an actor's or gRPC's): a
/// pool of the process's. Empty: sign on that thread.
using signing_executor = std::function<void(std::function<void()>)>;

/// The CA's counters, with istiod's names (security/pkg/server/ca/monitoring.go).
struct ca_metrics {
  explicit ca_metrics(telemetry::registry& r);

  telemetry::counter& csrs;         ///< citadel_server_csr_count
  telemetry::counter& authn_errors; ///< citadel_server_authentication_failure_count
  telemetry::counter& issued;       ///< citadel_server_success_cert_issuance_count
  telemetry::counter& parse_errors; ///< citadel_server_csr_parsing_err_count
  telemetry::registry& registry;    ///< for citadel_server_csr_sign_err_count{type}
};

/// The callback-API service. Authentication is the same as ADS's (caller_authenticator); a call
/// waits for a token verdict without holding a gRPC thread.
class ca_service final : public istio::v1::auth::IstioCertificateService::CallbackService {
public:
  /// `impersonation` may be empty: then every ImpersonatedIdentity request is refused. Every
  /// signing runs through `run_signing`.
  ca_service(caller_authenticator authenticator, std::shared_ptr<const ca::signer> signer,
             impersonation_check impersonation, std::shared_ptr<ca_metrics> metrics,
             signing_executor run_signing = {});

  grpc::ServerUnaryReactor*
  CreateCertificate(grpc::CallbackServerContext* context,
                    const istio::v1::auth::IstioCertificateRequest* request,
                    istio::v1::auth::IstioCertificateResponse* response) override;

private:
  caller_authenticator authenticator_;
  std::shared_ptr<const ca::signer> signer_;
  impersonation_check impersonation_;
  std::shared_ptr<ca_metrics> metrics_;
  signing_executor run_signing_;
};

} // namespace ambient::xds

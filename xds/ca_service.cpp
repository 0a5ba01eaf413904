#include "xds/ca_service.hpp"

#include <chrono>

#include "telemetry/log.hpp"
#include "xds/tsan_handoff.hpp"

namespace ambient::xds {

namespace {

/// The request metadata key a node agent names the identity it asks for with (istiod's
/// security.ImpersonatedIdentity).
constexpr const char* impersonated_identity_key = "ImpersonatedIdentity";

std::shared_ptr<spdlog::logger> ca_log() {
  static auto log = telemetry::make_logger("ca");
  return log;
}

/// The reactor of one CreateCertificate. The answer is decided on whichever thread delivers the
/// caller's verdict; the call is finished from a reaction of its own (the initial metadata sent),
/// as every gRPC operation of the ADS streams is, so the hand-off to gRPC's threads goes through
/// points ThreadSanitizer is told of (xds/tsan_handoff.hpp).
class ca_reactor final : public grpc::ServerUnaryReactor {
public:
  /// Finishes the call with `status` (the response already written); any thread, once.
  void finish(grpc::Status status) {
    status_ = std::move(status);
    handoff_release(this);
    StartSendInitialMetadata();
    handoff_release(this); // alive: only the reaction below calls Finish
  }

  void OnSendInitialMetadataDone(bool) override {
    handoff_acquire(this);
    Finish(status_);
    handoff_release(this); // OnDone waits for this reaction to return
  }

  void OnDone() override {
    handoff_acquire(this);
    delete this;
  }

private:
  grpc::Status status_;
};

/// One CreateCertificate in flight: the request and response stay gRPC's until Finish.
struct call {
  ca_reactor* reactor;
  const istio::v1::auth::IstioCertificateRequest* request;
  istio::v1::auth::IstioCertificateResponse* response;
  std::string peer;
  std::shared_ptr<const ca::signer> signer;
  std::shared_ptr<ca_metrics> metrics;
  signing_executor run_signing;

  void refuse(grpc::StatusCode code, const std::string& message) const {
    reactor->finish(grpc::Status{code, message});
  }

  /// Signs for `identity` on the signing pool and finishes the call.
  void sign(const std::string& identity) const {
    if (!run_signing)
      return sign_now(identity);
    run_signing([c = *this, identity] { c.sign_now(identity); });
  }

  /// Signs for `identity` on this thread and finishes the call.
  void sign_now(const std::string& identity) const {
    auto chain
        = signer->sign(request->csr(), identity, std::chrono::seconds{request->validity_duration()},
                       std::chrono::system_clock::now());
    if (auto* e = std::get_if<ca::error>(&chain)) {
      auto type = ca::sign_error_type(e->code);
      metrics->registry
          .add_counter("citadel_server_csr_sign_err_count",
                       "CSRs that could not be signed, by istiod's error type.", {{"type", type}})
          .inc();
      if (std::string_view{type} == "CSR_ERROR")
        metrics->parse_errors.inc();
      ca_log()->warn("CSR from {} for {} refused: {}", peer, identity, e->message);
      bool internal
          = std::string_view{type} == "CA_NOT_READY" || std::string_view{type} == "CERT_GEN_ERROR";
      return refuse(internal ? grpc::StatusCode::INTERNAL : grpc::StatusCode::INVALID_ARGUMENT,
                    "CSR signing error (" + e->message + ")");
    }
    for (auto& pem : std::get<std::vector<std::string>>(chain))
      response->add_cert_chain(std::move(pem));
    metrics->issued.inc();
    reactor->finish(grpc::Status::OK);
  }
};

} // namespace

ca_metrics::ca_metrics(telemetry::registry& r)
  : csrs(r.add_counter("citadel_server_csr_count", "CreateCertificate calls received.")),
    authn_errors(r.add_counter("citadel_server_authentication_failure_count",
                               "CreateCertificate calls whose caller or impersonation was not "
                               "authenticated.")),
    issued(r.add_counter("citadel_server_success_cert_issuance_count",
                         "Workload certificates issued.")),
    parse_errors(r.add_counter("citadel_server_csr_parsing_err_count",
                               "CSRs that did not parse or verify.")),
    registry(r) {
  // nop
}

ca_service::ca_service(caller_authenticator authenticator, std::shared_ptr<const ca::signer> signer,
                       impersonation_check impersonation, std::shared_ptr<ca_metrics> metrics,
                       signing_executor run_signing)
  : authenticator_(std::move(authenticator)), signer_(std::move(signer)),
    impersonation_(std::move(impersonation)), metrics_(std::move(metrics)),
    run_signing_(std::move(run_signing)) {
  // nop
}

grpc::ServerUnaryReactor*
ca_service::CreateCertificate(grpc::CallbackServerContext* context,
                              const istio::v1::auth::IstioCertificateRequest* request,
                              istio::v1::auth::IstioCertificateResponse* response) {
  metrics_->csrs.inc();
  auto* reactor = new ca_reactor;
  call c{reactor, request, response, context->peer(), signer_, metrics_, run_signing_};
  authenticator_.authenticate(credentials_of(*context), [c, impersonation = impersonation_,
                                                         metrics = metrics_](caller_verdict v) {
    if (!v.ok() || !v.authenticated) {
      metrics->authn_errors.inc();
      ca_log()->warn("CreateCertificate from {} refused: {}", c.peer,
                     v.ok() ? std::string{"not over TLS"} : v.reason);
      return c.refuse(grpc::StatusCode::UNAUTHENTICATED,
                      "request authenticate failure" + (v.ok() ? "" : ": " + v.reason));
    }
    const auto& fields = c.request->metadata().fields();
    auto it = fields.find(impersonated_identity_key);
    std::string wanted = it != fields.end() && it->second.has_string_value()
                             ? it->second.string_value()
                             : std::string{};
    if (wanted.empty() || wanted == v.identities.front())
      return c.sign(v.identities.front());
    if (!impersonation) {
      metrics->authn_errors.inc();
      ca_log()->warn("{} ({}) asked for {}: impersonation is not enabled", c.peer,
                     v.identities.front(), wanted);
      return c.refuse(grpc::StatusCode::UNAUTHENTICATED,
                      "request impersonation authentication failure");
    }
    impersonation(
        v, wanted, [c, wanted, caller = v.identities.front(), metrics](std::string refusal) {
          if (!refusal.empty()) {
            metrics->authn_errors.inc();
            ca_log()->warn("{} ({}) may not ask for {}: {}", c.peer, caller, wanted, refusal);
            return c.refuse(grpc::StatusCode::UNAUTHENTICATED,
                            "request impersonation authentication failure: " + refusal);
          }
          c.sign(wanted);
        });
  });
  return reactor;
}

} // namespace ambient::xds

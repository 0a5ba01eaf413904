#include "xds/caller_authenticator.hpp"

#include <utility>

namespace ambient::xds {

namespace {

std::vector<std::string> metadata_values(const grpc::ServerContextBase& context,
                                         std::string_view key) {
  std::vector<std::string> out;
  auto [begin, end]
      = context.client_metadata().equal_range(grpc::string_ref{key.data(), key.size()});
  for (auto it = begin; it != end; ++it)
    out.emplace_back(it->second.data(), it->second.size());
  return out;
}

caller_verdict refuse(grpc::StatusCode code, std::string reason) {
  caller_verdict v;
  v.code = code;
  v.reason = std::move(reason);
  return v;
}

} // namespace

call_credentials credentials_of(const grpc::ServerContextBase& context) {
  call_credentials out;
  out.peer = context.peer();
  if (auto auth = context.auth_context()) {
    auto type = auth->FindPropertyValues(GRPC_TRANSPORT_SECURITY_TYPE_PROPERTY_NAME);
    if (!type.empty())
      out.transport_security_type.assign(type[0].data(), type[0].size());
    auto pem = auth->FindPropertyValues(GRPC_X509_PEM_CERT_PROPERTY_NAME);
    if (!pem.empty())
      out.cert_pem.emplace(pem[0].data(), pem[0].size());
  }
  out.authorization = metadata_values(context, "authorization");
  out.cluster_ids = metadata_values(context, "clusterid");
  return out;
}

caller_authenticator::caller_authenticator(spiffe_allow_list allow, token_authenticator tokens)
  : allow_(std::move(allow)), tokens_(std::move(tokens)) {
  // nop
}

void caller_authenticator::authenticate(const call_credentials& creds,
                                        const std::function<void(caller_verdict)>& done) const {
  auto cert = certificate_identity(creds.transport_security_type, creds.cert_pem);
  if (!cert.over_tls)
    return done(caller_verdict{});
  if (!cert.spiffe_ids.empty()) {
    if (auto why = allow_list_refusal(cert.spiffe_ids, allow_); !why.empty())
      return done(refuse(grpc::StatusCode::PERMISSION_DENIED, why));
    caller_verdict v;
    v.authenticated = true;
    v.identities = std::move(cert.spiffe_ids);
    return done(std::move(v));
  }
  // As istiod: a certificate that proves nothing is no failure yet; a token may still.
  if (creds.authorization.empty())
    return done(refuse(grpc::StatusCode::UNAUTHENTICATED,
                       cert.error.empty() ? std::string{"no client certificate and no bearer token "
                                                        "in the authorization metadata"}
                                          : cert.error
                                                + ", and no bearer token in the "
                                                  "authorization metadata"));
  if (!tokens_)
    return done(refuse(grpc::StatusCode::UNAUTHENTICATED,
                       "no client certificate, and token authentication is not enabled"));
  tokens_(creds, [allow = allow_, done](token_verdict t) {
    if (!t.error.empty())
      return done(refuse(grpc::StatusCode::UNAUTHENTICATED, t.error));
    std::vector<std::string> ids{t.spiffe_id};
    if (auto why = allow_list_refusal(ids, allow); !why.empty())
      return done(refuse(grpc::StatusCode::PERMISSION_DENIED, why));
    caller_verdict v;
    v.authenticated = true;
    v.identities = std::move(ids);
    v.token = std::move(t);
    done(std::move(v));
  });
}

} // namespace ambient::xds

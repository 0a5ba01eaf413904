#pragma once

#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>

namespace ambient::sim {

/// TLS material for one API server: its certificate and key, and the CA that client
/// certificates must chain to.
struct tls_material {
  std::string server_cert_pem;
  std::string server_key_pem;
  std::string client_ca_pem;
};

/// The server-side TLS context of an API server: TLS 1.2 and newer, `tls`'s certificate and key,
/// and a client certificate asked for but not required (bearer tokens are the other way in).
/// Throws on PEM that OpenSSL refuses.
std::shared_ptr<boost::asio::ssl::context> make_tls_context(const tls_material& tls);

} // namespace ambient::sim

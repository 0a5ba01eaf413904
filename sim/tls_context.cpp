#include "sim/tls_context.hpp"

#include <boost/asio/buffer.hpp>

namespace ambient::sim {

namespace asio = boost::asio;
namespace ssl = asio::ssl;

std::shared_ptr<ssl::context> make_tls_context(const tls_material& tls) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2
                   | ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  ctx->use_certificate_chain(asio::buffer(tls.server_cert_pem));
  ctx->use_private_key(asio::buffer(tls.server_key_pem), ssl::context::pem);
  ctx->add_certificate_authority(asio::buffer(tls.client_ca_pem));
  // Ask for a client certificate but do not require one: bearer tokens are the other way in.
  ctx->set_verify_mode(ssl::verify_peer);
  ctx->set_verify_callback([](bool, ssl::verify_context&) { return true; });
  return ctx;
}

} // namespace ambient::sim

#include "ca/ca_keeper_core.hpp"

#include <openssl/x509.h>

#include "base/openssl_util.hpp"
#include "ca/ca_secret.hpp"
#include "ca/cert_builder.hpp"

namespace ambient::ca {

namespace {

/// The value of `key` in `data`, "" when absent.
const std::string& value_of(const std::map<std::string, std::string>& data,
                            const std::string& key) {
  static const std::string none;
  auto it = data.find(key);
  return it == data.end() ? none : it->second;
}

/// Whether the certificate that signs (and the chain the listener presents) differ between two
/// readings, in any of the layouts load_signing_bundle reads.
bool signing_changed(const std::map<std::string, std::string>& a,
                     const std::map<std::string, std::string>& b) {
  for (const char* key : {"ca-cert.pem", "ca-key.pem", "cert-chain.pem", "tls.crt", "tls.key"})
    if (value_of(a, key) != value_of(b, key))
      return true;
  return false;
}

/// `data` without its empty values: a Secret keeps `key.pem: ""` that a directory has no file for.
std::map<std::string, std::string> without_empty(const std::map<std::string, std::string>& data) {
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : data)
    if (!v.empty())
      out.emplace(k, v);
  return out;
}

} // namespace

result<issued_serving_cert> issue_listener_cert(const signing_bundle& ca,
                                                const ca_keeper_core::serving_params& params,
                                                std::chrono::system_clock::time_point now) {
  auto made = issue_serving_cert(ca, params.dns_names, params.ttl, now);
  if (auto* e = std::get_if<error>(&made))
    return *e;
  issued_serving_cert out;
  out.cert = std::move(std::get<serving_cert>(made));
  auto leaf = base::parse_cert(out.cert.cert_chain_pem);
  if (!leaf)
    return error{errc::internal, "the issued serving certificate does not parse"};
  out.not_before = to_time_point(X509_get0_notBefore(leaf.get()));
  out.not_after = to_time_point(X509_get0_notAfter(leaf.get()));
  return out;
}

ca_keeper_core::ca_keeper_core(std::map<std::string, std::string> data,
                               std::shared_ptr<const signing_bundle> bundle, serving_params params,
                               std::optional<issued_serving_cert> serving)
  : data_(without_empty(data)), bundle_(std::move(bundle)), params_(std::move(params)),
    serving_(std::move(serving)) {
  // nop
}

std::optional<std::chrono::system_clock::time_point> ca_keeper_core::renew_at() const {
  if (!serving_)
    return std::nullopt;
  return serving_->not_before + (serving_->not_after - serving_->not_before) / 2;
}

void ca_keeper_core::issue_serving(keeper_step& step, std::chrono::system_clock::time_point now) {
  auto made = issue_listener_cert(*bundle_, params_, now);
  if (auto* e = std::get_if<error>(&made)) {
    step.renewal_error = "renewing the TLS listener's certificate: " + e->message;
    return;
  }
  serving_ = std::get<issued_serving_cert>(made);
  step.serving = serving_;
}

keeper_step ca_keeper_core::on_material(const std::map<std::string, std::string>& data,
                                        std::chrono::system_clock::time_point now) {
  keeper_step step;
  auto material = without_empty(data);
  if (material == data_)
    return step;
  auto loaded = load_signing_bundle(material, now);
  if (auto* e = std::get_if<error>(&loaded)) {
    step.refused = "the CA's material changed but does not load, still signing with the previous "
                   "one: "
                   + e->message;
    return step;
  }
  bool new_signer = signing_changed(material, data_);
  auto bundle = std::make_shared<const signing_bundle>(std::move(std::get<signing_bundle>(loaded)));
  bool new_roots = bundle->roots_pem != bundle_->roots_pem;
  data_ = std::move(material);
  bundle_ = bundle;
  step.install = bundle;
  if (new_roots)
    step.listener_roots = bundle->roots_pem;
  if (new_signer && serving_)
    issue_serving(step, now);
  return step;
}

keeper_step ca_keeper_core::on_tick(std::chrono::system_clock::time_point now) {
  keeper_step step;
  if (auto at = renew_at(); at && now >= *at)
    issue_serving(step, now);
  return step;
}

} // namespace ambient::ca

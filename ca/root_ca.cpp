#include "ca/root_ca.hpp"

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "base/openssl_util.hpp"

namespace ambient::ca {

result<signing_bundle> generate_root(const root_options& options,
                                     std::chrono::system_clock::time_point now) {
  if (options.trust_domain.empty())
    return error{errc::bad_bundle, "a root needs a trust domain for its subject"};
  if (options.ttl.count() <= 0)
    return error{errc::bad_ttl, "a root's lifetime must be positive"};
  try {
    signing_bundle out;
    out.key = generate_key(options.key);
    out.cert = new_certificate(nullptr, now, now + options.ttl);
    set_public_key(out.cert.get(), out.key.get());
    X509_NAME* subject = X509_get_subject_name(out.cert.get());
    base::openssl_check(X509_NAME_add_entry_by_txt(
                            subject, "O", MBSTRING_UTF8,
                            reinterpret_cast<const unsigned char*>(options.trust_domain.c_str()),
                            -1, -1, 0),
                        "X509_NAME_add_entry_by_txt(O)");
    base::openssl_check(X509_set_issuer_name(out.cert.get(), subject), "X509_set_issuer_name");
    add_extension(out.cert.get(), out.cert.get(), NID_basic_constraints, "critical,CA:TRUE");
    add_extension(out.cert.get(), out.cert.get(), NID_key_usage, "critical,keyCertSign");
    add_extension(out.cert.get(), out.cert.get(), NID_subject_key_identifier, "hash");
    sign_certificate(out.cert.get(), out.key.get());
    out.roots_pem = base::to_pem(out.cert.get());
    X509_up_ref(out.cert.get());
    out.roots.emplace_back(out.cert.get());
    return out;
  } catch (const std::exception& e) {
    ERR_clear_error();
    return error{errc::internal, e.what()};
  }
}

long long root_expiry_seconds(const signing_bundle& ca, std::chrono::system_clock::time_point now) {
  if (ca.roots.empty())
    return 0;
  auto not_after = to_time_point(X509_get0_notAfter(ca.roots.front().get()));
  return std::chrono::duration_cast<std::chrono::seconds>(not_after - now).count();
}

} // namespace ambient::ca

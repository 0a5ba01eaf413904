#include "xds/server_credentials.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include <grpc/grpc_security_constants.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_credentials_options.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "base/openssl_ptr.hpp"
#include "base/openssl_util.hpp"

namespace ambient::xds {

namespace {

using base::pkey_ptr;
using base::x509_ptr;

constexpr size_t max_pem_file_bytes = size_t{1} << 20;

/// A PEM passphrase callback that refuses, so an encrypted key fails instead of prompting.
int no_passphrase(char*, int, int, void*) {
  return -1;
}

/// The text of a PEM file, or why it could not be read.
struct pem_file {
  std::string text;
  std::string error; ///< names the file; empty on success
};

/// Reads a PEM file (`what` is e.g. "certificate file", for the error).
pem_file read_pem_file(const std::string& what, const std::string& path) {
  auto fail = [&](const std::string& why) {
    return pem_file{{}, what + " " + path + ": " + why};
  };
  std::unique_ptr<FILE, int (*)(FILE*)> file{std::fopen(path.c_str(), "rb"), &std::fclose};
  if (!file)
    return fail(std::string{"cannot read ("} + std::strerror(errno) + ")");
  std::string text;
  std::array<char, 4096> buf{};
  while (size_t n = std::fread(buf.data(), 1, buf.size(), file.get())) {
    text.append(buf.data(), n);
    if (text.size() > max_pem_file_bytes)
      return fail("larger than 1 MiB");
  }
  if (std::ferror(file.get()))
    return fail(std::string{"cannot read ("} + std::strerror(errno) + ")");
  if (text.empty())
    return fail("is empty");
  return {std::move(text), {}};
}

/// Why `pem` is not a bundle of one or more PEM certificates, or "".
std::string bundle_problem(std::string_view pem) {
  auto bio = base::memory_bio(pem);
  if (!bio)
    return "not a PEM certificate";
  size_t count = 0;
  while (x509_ptr{PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)})
    ++count;
  auto last = ERR_peek_last_error(); // "no start line": past the last certificate
  if (count > 0 && ERR_GET_LIB(last) == ERR_LIB_PEM
      && ERR_GET_REASON(last) == PEM_R_NO_START_LINE) {
    ERR_clear_error();
    return {};
  }
  if (count == 0)
    return "not a PEM certificate" + base::take_openssl_error();
  return "certificate " + std::to_string(count + 1) + " does not parse"
         + base::take_openssl_error();
}

} // namespace

server_credentials_result make_server_credentials(const tls_files& files,
                                                  std::chrono::seconds reload_every,
                                                  client_certificates mode) {
  auto [cert, cert_error] = read_pem_file("certificate file", files.cert_file);
  auto [key, key_error] = read_pem_file("key file", files.key_file);
  auto [ca, ca_error] = read_pem_file("CA file", files.ca_file);
  for (const std::string* error : {&cert_error, &key_error, &ca_error})
    if (!error->empty())
      return {nullptr, *error};

  auto leaf = base::parse_cert(cert);
  if (!leaf)
    return {nullptr, "certificate file " + files.cert_file + ": not a PEM certificate"
                         + base::take_openssl_error()};
  auto key_bio = base::memory_bio(key);
  pkey_ptr pkey{key_bio ? PEM_read_bio_PrivateKey(key_bio.get(), nullptr, &no_passphrase, nullptr)
                        : nullptr};
  if (!pkey) {
    auto why = "not a PEM private key" + base::take_openssl_error();
    if (key.find("ENCRYPTED") != std::string::npos)
      why = "an encrypted private key (give it unencrypted)";
    return {nullptr, "key file " + files.key_file + ": " + why};
  }
  if (X509_check_private_key(leaf.get(), pkey.get()) != 1) {
    ERR_clear_error();
    return {nullptr, "key file " + files.key_file + ": does not match the certificate in "
                         + files.cert_file};
  }
  if (auto problem = bundle_problem(ca); !problem.empty())
    return {nullptr, "CA file " + files.ca_file + ": " + problem};

  // The files are good now; gRPC's watcher serves them and picks up replacements.
  auto provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
      files.key_file, files.cert_file, files.ca_file,
      static_cast<unsigned>(std::max<int64_t>(1, reload_every.count())));
  grpc::experimental::TlsServerCredentialsOptions options{provider};
  options.watch_root_certs();
  options.watch_identity_key_cert_pairs();
  options.set_cert_request_type(mode == client_certificates::required
                                    ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
                                    : GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY);
  return {grpc::experimental::TlsServerCredentials(options), {}};
}

} // namespace ambient::xds

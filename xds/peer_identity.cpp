#include "xds/peer_identity.hpp"

#include "base/openssl_ptr.hpp"
#include "base/trim.hpp"

#include <algorithm>

#include <grpcpp/security/server_credentials.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_credentials_options.h>

#include <array>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <utility>

#include <grpc/grpc_security_constants.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace ambient::xds {

namespace {

using base::bio_ptr;
using base::general_names_ptr;
using base::pkey_ptr;
using base::x509_ptr;

constexpr std::string_view spiffe_scheme = "spiffe://";
constexpr size_t max_pem_file_bytes = size_t{1} << 20;

/// " (<reason>)" for OpenSSL's oldest queued error, or ""; clears the queue either way so a
/// failure here never shows up in a later, unrelated OpenSSL call on this thread.
std::string take_openssl_error() {
  std::string out;
  if (auto code = ERR_get_error(); code != 0) {
    const char* reason = ERR_reason_error_string(code);
    out = std::string{" ("} + (reason != nullptr ? reason : "unknown error") + ")";
  }
  ERR_clear_error();
  return out;
}

/// A read-only memory BIO over `text`; null when OpenSSL cannot take it. Clears stale errors first,
/// so the errors a caller then reports are its own.
bio_ptr memory_bio(std::string_view text) {
  ERR_clear_error();
  if (text.size() > static_cast<size_t>(INT_MAX))
    return {};
  return bio_ptr{BIO_new_mem_buf(text.data(), static_cast<int>(text.size()))};
}

/// A PEM passphrase callback that refuses, so an encrypted key fails instead of prompting.
int no_passphrase(char*, int, int, void*) {
  return -1;
}

/// The first certificate in `pem`, or null (with OpenSSL's error queued).
x509_ptr parse_cert(std::string_view pem) {
  auto bio = memory_bio(pem);
  return bio ? x509_ptr{PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)} : nullptr;
}

bool is_space_or_control(char c) {
  return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f;
}

bool is_prefix_entry(std::string_view entry) {
  return entry.ends_with("/*");
}

/// Why `entry` cannot be on an allow-list, or null when it can.
const char* entry_problem(std::string_view entry) {
  if (!entry.starts_with(spiffe_scheme))
    return "does not start with \"spiffe://\"";
  for (char c : entry)
    if (is_space_or_control(c))
      return "contains whitespace or a control character";
  auto star = entry.find('*');
  if (star != std::string_view::npos && (star + 1 != entry.size() || !is_prefix_entry(entry)))
    return "uses \"*\" other than as a trailing \"/*\"";
  auto rest = entry.substr(spiffe_scheme.size(),
                           entry.size() - spiffe_scheme.size() - (is_prefix_entry(entry) ? 1 : 0));
  if (rest.substr(0, rest.find('/')).empty())
    return "has an empty trust domain";
  return nullptr;
}

bool matches(std::string_view entry, std::string_view id) {
  if (!is_prefix_entry(entry))
    return id == entry;
  auto prefix = entry.substr(0, entry.size() - 1); // keeps the '/'
  return id.size() > prefix.size() && id.starts_with(prefix);
}

} // namespace

uri_sans_result uri_sans_of_pem(std::string_view pem) {
  auto cert = parse_cert(pem);
  if (!cert)
    return {{}, "not a PEM certificate" + take_openssl_error()};
  int critical = -1;
  general_names_ptr names{static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert.get(), NID_subject_alt_name, &critical, nullptr))};
  if (!names) {
    ERR_clear_error();
    if (critical == -1)
      return {}; // no subjectAltName: no URI SANs
    return {{}, "malformed or repeated subjectAltName extension"};
  }
  uri_sans_result out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type != GEN_URI)
      continue;
    const ASN1_STRING* uri = name->d.uniformResourceIdentifier;
    std::string text(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                     static_cast<size_t>(ASN1_STRING_length(uri)));
    for (char c : text)
      if (is_space_or_control(c)) // never matched against the allow-list, never logged
        return {{}, "URI SAN with whitespace or a control character"};
    out.uris.push_back(std::move(text));
  }
  return out;
}

spiffe_allow_list::spiffe_allow_list(std::vector<std::string> entries)
  : entries_(std::move(entries)) {
  for (const auto& entry : entries_)
    if (const char* problem = entry_problem(entry))
      throw std::invalid_argument("SPIFFE allow-list entry \"" + entry + "\" " + problem);
}

spiffe_allow_list spiffe_allow_list::parse(std::string_view comma_separated) {
  std::vector<std::string> entries;
  while (true) {
    auto comma = comma_separated.find(',');
    if (auto entry = base::trim_if(comma_separated.substr(0, comma), is_space_or_control);
        !entry.empty())
      entries.emplace_back(entry);
    if (comma == std::string_view::npos)
      break;
    comma_separated.remove_prefix(comma + 1);
  }
  return spiffe_allow_list{std::move(entries)};
}

bool spiffe_allow_list::empty() const {
  return entries_.empty();
}

bool spiffe_allow_list::allows(const std::vector<std::string>& uris) const {
  if (entries_.empty())
    return true;
  for (const auto& uri : uris)
    if (uri.starts_with(spiffe_scheme))
      for (const auto& entry : entries_)
        if (matches(entry, uri))
          return true;
  return false;
}

const std::vector<std::string>& spiffe_allow_list::entries() const {
  return entries_;
}

std::string check_peer_properties(std::string_view transport_security_type,
                                  const std::optional<std::string>& pem,
                                  const spiffe_allow_list& allow) {
  if (transport_security_type != GRPC_SSL_TRANSPORT_SECURITY_TYPE
      && transport_security_type != GRPC_TLS_TRANSPORT_SECURITY_TYPE)
    return {};
  if (!pem || pem->empty())
    return "no client certificate";
  auto sans = uri_sans_of_pem(*pem);
  if (!sans.ok())
    return "client certificate: " + sans.error;
  std::vector<std::string> ids;
  for (auto& uri : sans.uris)
    if (uri.starts_with(spiffe_scheme))
      ids.push_back(std::move(uri));
  if (ids.empty())
    return "client certificate has no SPIFFE ID";
  if (allow.allows(ids))
    return {};
  std::string joined;
  for (const auto& id : ids)
    joined += (joined.empty() ? "" : ", ") + id;
  return "SPIFFE ID " + joined + " is not on the allow-list";
}

std::string check_peer(const grpc::AuthContext& auth, const spiffe_allow_list& allow) {
  auto type = auth.FindPropertyValues(GRPC_TRANSPORT_SECURITY_TYPE_PROPERTY_NAME);
  auto pem = auth.FindPropertyValues(GRPC_X509_PEM_CERT_PROPERTY_NAME);
  return check_peer_properties(
      type.empty() ? std::string_view{} : std::string_view{type[0].data(), type[0].size()},
      pem.empty() ? std::nullopt
                  : std::optional<std::string>{std::in_place, pem[0].begin(), pem[0].end()},
      allow);
}

namespace {

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
  auto bio = memory_bio(pem);
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
    return "not a PEM certificate" + take_openssl_error();
  return "certificate " + std::to_string(count + 1) + " does not parse" + take_openssl_error();
}

} // namespace

server_credentials_result make_server_credentials(const tls_files& files,
                                                  std::chrono::seconds reload_every) {
  auto [cert, cert_error] = read_pem_file("certificate file", files.cert_file);
  auto [key, key_error] = read_pem_file("key file", files.key_file);
  auto [ca, ca_error] = read_pem_file("CA file", files.ca_file);
  for (const std::string* error : {&cert_error, &key_error, &ca_error})
    if (!error->empty())
      return {nullptr, *error};

  auto leaf = parse_cert(cert);
  if (!leaf)
    return {nullptr, "certificate file " + files.cert_file + ": not a PEM certificate"
                         + take_openssl_error()};
  auto key_bio = memory_bio(key);
  pkey_ptr pkey{key_bio ? PEM_read_bio_PrivateKey(key_bio.get(), nullptr, &no_passphrase, nullptr)
                        : nullptr};
  if (!pkey) {
    auto why = "not a PEM private key" + take_openssl_error();
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
  options.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  return {grpc::experimental::TlsServerCredentials(options), {}};
}

} // namespace ambient::xds

#include "xds/peer_identity.hpp"

#include <stdexcept>
#include <utility>

#include <grpc/grpc_security_constants.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "base/openssl_ptr.hpp"
#include "base/openssl_util.hpp"
#include "base/trim.hpp"

namespace ambient::xds {

namespace {

using base::general_names_ptr;

constexpr std::string_view spiffe_scheme = "spiffe://";

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
  auto cert = base::parse_cert(pem);
  if (!cert)
    return {{}, "not a PEM certificate" + base::take_openssl_error()};
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
  out.uris = base::uri_names(names.get());
  for (const auto& text : out.uris)
    for (char c : text)
      if (is_space_or_control(c)) // never matched against the allow-list, never logged
        return {{}, "URI SAN with whitespace or a control character"};
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

peer_certificate certificate_identity(std::string_view transport_security_type,
                                      const std::optional<std::string>& pem) {
  peer_certificate out;
  out.over_tls = transport_security_type == GRPC_SSL_TRANSPORT_SECURITY_TYPE
                 || transport_security_type == GRPC_TLS_TRANSPORT_SECURITY_TYPE;
  if (!out.over_tls || !pem || pem->empty())
    return out;
  auto sans = uri_sans_of_pem(*pem);
  if (!sans.ok()) {
    out.error = "client certificate: " + sans.error;
    return out;
  }
  for (auto& uri : sans.uris)
    if (uri.starts_with(spiffe_scheme))
      out.spiffe_ids.push_back(std::move(uri));
  if (out.spiffe_ids.empty())
    out.error = "client certificate has no SPIFFE ID";
  return out;
}

peer_certificate certificate_identity(const grpc::AuthContext& auth) {
  auto type = auth.FindPropertyValues(GRPC_TRANSPORT_SECURITY_TYPE_PROPERTY_NAME);
  auto pem = auth.FindPropertyValues(GRPC_X509_PEM_CERT_PROPERTY_NAME);
  return certificate_identity(
      type.empty() ? std::string_view{} : std::string_view{type[0].data(), type[0].size()},
      pem.empty() ? std::nullopt
                  : std::optional<std::string>{std::in_place, pem[0].begin(), pem[0].end()});
}

std::string allow_list_refusal(const std::vector<std::string>& spiffe_ids,
                               const spiffe_allow_list& allow) {
  if (allow.allows(spiffe_ids))
    return {};
  std::string joined;
  for (const auto& id : spiffe_ids)
    joined += (joined.empty() ? "" : ", ") + id;
  return "SPIFFE ID " + joined + " is not on the allow-list";
}

} // namespace ambient::xds

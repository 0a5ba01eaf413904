#include "sim/service_account_tokens.hpp"

#include <array>

#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "base/base64.hpp"
#include "base/openssl_ptr.hpp"
#include "base/openssl_util.hpp"
#include "sim/json.hpp"
#include "sim/pki.hpp"

namespace ambient::sim {

namespace {

using base::openssl_check;
using base::openssl_fail;
using std::chrono::system_clock;

constexpr size_t coordinate_bytes = 32; // P-256: r and s are 32 bytes each in a JWS signature

int64_t to_unix(system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

system_clock::time_point from_unix(int64_t s) {
  return system_clock::time_point{std::chrono::seconds{s}};
}

std::string claims_json(const token_claims& c) {
  json k8s = json::object();
  k8s["namespace"] = c.namespace_;
  if (!c.pod_name.empty())
    k8s["pod"] = json{{"name", c.pod_name}, {"uid", c.pod_uid}};
  k8s["serviceaccount"] = json{{"name", c.service_account}, {"uid", c.service_account_uid}};
  json doc = json::object();
  doc["aud"] = c.audiences;
  doc["exp"] = to_unix(c.expires);
  doc["iat"] = to_unix(c.issued_at);
  doc["iss"] = c.issuer;
  doc["kubernetes.io"] = std::move(k8s);
  doc["nbf"] = to_unix(c.not_before);
  doc["sub"] = c.subject();
  return dump_json(doc);
}

/// The string at `path` in `doc`, or nullopt when absent or not a string.
std::optional<std::string> string_at(const json& doc,
                                     std::initializer_list<std::string_view> path) {
  const auto* v = find_path(doc, path);
  if (v == nullptr || !v->is_string())
    return std::nullopt;
  return v->get<std::string>();
}

std::optional<int64_t> time_at(const json& doc, std::string_view name) {
  const auto* v = find_path(doc, {name});
  if (v == nullptr || !v->is_number_integer())
    return std::nullopt;
  return v->get<int64_t>();
}

/// The claims of a payload, or why they are not those of a service-account token.
token_verdict parse_claims(const json& doc) {
  token_claims c;
  auto iss = string_at(doc, {"iss"});
  auto sub = string_at(doc, {"sub"});
  auto ns = string_at(doc, {"kubernetes.io", "namespace"});
  auto sa = string_at(doc, {"kubernetes.io", "serviceaccount", "name"});
  auto sa_uid = string_at(doc, {"kubernetes.io", "serviceaccount", "uid"});
  auto exp = time_at(doc, "exp");
  auto iat = time_at(doc, "iat");
  auto nbf = time_at(doc, "nbf");
  if (!iss || !sub || !ns || !sa || !sa_uid || !exp || !iat || !nbf)
    return {std::nullopt, "token claims lack iss, sub, exp, iat, nbf or kubernetes.io"};
  c.issuer = *iss;
  c.namespace_ = *ns;
  c.service_account = *sa;
  c.service_account_uid = *sa_uid;
  c.expires = from_unix(*exp);
  c.issued_at = from_unix(*iat);
  c.not_before = from_unix(*nbf);
  if (find_path(doc, {"kubernetes.io", "pod"}) != nullptr) {
    auto pod = string_at(doc, {"kubernetes.io", "pod", "name"});
    auto pod_uid = string_at(doc, {"kubernetes.io", "pod", "uid"});
    if (!pod || !pod_uid)
      return {std::nullopt, "token claim kubernetes.io.pod lacks name or uid"};
    c.pod_name = *pod;
    c.pod_uid = *pod_uid;
  }
  if (*sub != c.subject())
    return {std::nullopt, "token sub does not name its kubernetes.io service account"};
  const auto* aud = find_path(doc, {"aud"});
  if (aud != nullptr && aud->is_string()) {
    c.audiences.push_back(aud->get<std::string>());
  } else if (aud != nullptr && aud->is_array()) {
    for (const auto& a : *aud) {
      if (!a.is_string())
        return {std::nullopt, "token aud holds a value that is not a string"};
      c.audiences.push_back(a.get<std::string>());
    }
  } else {
    return {std::nullopt, "token lacks aud"};
  }
  return {std::move(c), ""};
}

/// The DER ECDSA signature OpenSSL makes, as JWS's raw r||s.
std::string der_to_raw(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  base::ecdsa_sig_ptr sig{d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()))};
  if (!sig)
    openssl_fail("d2i_ECDSA_SIG");
  std::string raw(2 * coordinate_bytes, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  openssl_check(BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), out, coordinate_bytes),
                "BN_bn2binpad(r)");
  openssl_check(BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), out + coordinate_bytes, coordinate_bytes),
                "BN_bn2binpad(s)");
  return raw;
}

/// JWS's raw r||s as DER for OpenSSL; nullopt when it is not 64 bytes.
std::optional<std::string> raw_to_der(std::string_view raw) {
  if (raw.size() != 2 * coordinate_bytes)
    return std::nullopt;
  const auto* in = reinterpret_cast<const unsigned char*>(raw.data());
  base::ecdsa_sig_ptr sig{ECDSA_SIG_new()};
  BIGNUM* r = BN_bin2bn(in, coordinate_bytes, nullptr);
  BIGNUM* s = BN_bin2bn(in + coordinate_bytes, coordinate_bytes, nullptr);
  if (!sig || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return std::nullopt;
  }
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig.get(), &der);
  if (len <= 0)
    return std::nullopt;
  std::string out{reinterpret_cast<const char*>(der), static_cast<size_t>(len)};
  OPENSSL_free(der);
  return out;
}

std::string public_key_id(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(key, &der);
  if (len <= 0)
    openssl_fail("i2d_PUBKEY");
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int digest_len = 0;
  int ok = EVP_Digest(der, static_cast<size_t>(len), digest.data(), &digest_len, EVP_sha256(),
                      nullptr);
  OPENSSL_free(der);
  openssl_check(ok, "EVP_Digest(SHA-256)");
  return base::encode_base64url({reinterpret_cast<const char*>(digest.data()), digest_len});
}

} // namespace

std::string token_claims::subject() const {
  return "system:serviceaccount:" + namespace_ + ":" + service_account;
}

token_signer::token_signer(std::shared_ptr<EVP_PKEY> key, std::string key_id)
  : key_(std::move(key)), key_id_(std::move(key_id)) {
  // nop
}

token_signer token_signer::create() {
  std::shared_ptr<EVP_PKEY> key{make_p256_key().release(), EVP_PKEY_free};
  auto id = public_key_id(key.get());
  return token_signer{std::move(key), std::move(id)};
}

std::string token_signer::public_key_pem() const {
  base::bio_ptr bio{BIO_new(BIO_s_mem())};
  if (!bio)
    openssl_fail("BIO_new");
  openssl_check(PEM_write_bio_PUBKEY(bio.get(), key_.get()), "PEM_write_bio_PUBKEY");
  return base::bio_contents(bio.get());
}

std::string token_signer::issue(const token_claims& claims) const {
  json header = json::object();
  header["alg"] = "ES256";
  header["kid"] = key_id_;
  auto signing_input = base::encode_base64url(dump_json(header)) + "."
                       + base::encode_base64url(claims_json(claims));
  base::md_ctx_ptr ctx{EVP_MD_CTX_new()};
  if (!ctx)
    openssl_fail("EVP_MD_CTX_new");
  openssl_check(EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get()),
                "EVP_DigestSignInit");
  size_t len = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(signing_input.data());
  openssl_check(EVP_DigestSign(ctx.get(), nullptr, &len, in, signing_input.size()),
                "EVP_DigestSign(size)");
  std::string der(len, '\0');
  openssl_check(EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(der.data()), &len, in,
                               signing_input.size()),
                "EVP_DigestSign");
  der.resize(len);
  return signing_input + "." + base::encode_base64url(der_to_raw(der));
}

token_verdict token_signer::verify(std::string_view token, system_clock::time_point now) const {
  auto first = token.find('.');
  auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos)
    return {std::nullopt, "not a JWT: want three dot-separated parts"};
  auto header_text = base::decode_base64url(token.substr(0, first), false);
  auto payload_text = base::decode_base64url(token.substr(first + 1, second - first - 1), false);
  auto signature = base::decode_base64url(token.substr(second + 1), false);
  if (!header_text || !payload_text || !signature)
    return {std::nullopt, "not a JWT: a part is not base64url"};
  auto header = parse_json(*header_text, nullptr);
  if (!header || !header->is_object())
    return {std::nullopt, "not a JWT: the header is not a JSON object"};
  if (string_at(*header, {"alg"}) != "ES256")
    return {std::nullopt, "token alg is not ES256"};
  if (string_at(*header, {"kid"}) != key_id_)
    return {std::nullopt, "token was signed by another key (kid unknown to this cluster)"};
  auto der = raw_to_der(*signature);
  if (!der)
    return {std::nullopt, "token signature is not 64 bytes"};
  base::md_ctx_ptr ctx{EVP_MD_CTX_new()};
  if (!ctx)
    openssl_fail("EVP_MD_CTX_new");
  openssl_check(EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get()),
                "EVP_DigestVerifyInit");
  auto signing_input = token.substr(0, second);
  int ok = EVP_DigestVerify(
      ctx.get(), reinterpret_cast<const unsigned char*>(der->data()), der->size(),
      reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size());
  if (ok != 1) {
    ERR_clear_error();
    return {std::nullopt, "token signature is invalid"};
  }
  auto payload = parse_json(*payload_text, nullptr);
  if (!payload || !payload->is_object())
    return {std::nullopt, "token payload is not a JSON object"};
  auto verdict = parse_claims(*payload);
  if (!verdict.claims)
    return verdict;
  if (now < verdict.claims->not_before)
    return {std::nullopt, "token is not valid yet (nbf)"};
  if (now >= verdict.claims->expires)
    return {std::nullopt, "token has expired"};
  return verdict;
}

} // namespace ambient::sim

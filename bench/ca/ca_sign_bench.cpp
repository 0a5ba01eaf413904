// Issue 24's CA signing figure, one run: workload certificates issued per second per core from
// ztunnel-like P-256 CSRs with an RSA-2048 CA (istiod's default) and with a P-256 CA, next to
// `openssl speed -seconds 3` for the same key type (sign/s, one core) in the same run. Two
// figures: signing (issue + chain_response from a checked CSR: what openssl speed's sign compares
// with) and the whole pure path of one CreateCertificate (check_csr, whose CSR parse and ECDSA
// verify cost more than a P-256 signature, + effective_ttl + issue + chain_response).
// Target: signing at least 50 % of openssl's sign/s; exit 1 when missed.
//
// Usage: ca_sign_bench [--certs N] [--speed-seconds S]

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <sstream>
#include <string>
#include <vector>

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "base/openssl_util.hpp"
#include "ca/cert_builder.hpp"
#include "ca/csr_check.hpp"
#include "ca/issuer.hpp"
#include "ca/root_ca.hpp"
#include "ca/ttl_policy.hpp"

namespace {

using namespace ambient;

const std::string spiffe_id = "spiffe://cluster.local/ns/a/sa/b";

/// This thread's CPU time: signing is single-threaded computation, and `openssl speed` counts
/// user CPU time too, so the two figures are per core and immune to what a noisy VM steals.
double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

/// A CSR as ztunnel sends it: a fresh P-256 key, empty subject, one critical URI SAN.
std::string ztunnel_csr() {
  auto key = ca::generate_key(ca::key_kind::ec_p256);
  base::x509_req_ptr req{X509_REQ_new()};
  base::openssl_check(X509_REQ_set_pubkey(req.get(), key.get()), "X509_REQ_set_pubkey");
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, nullptr, nullptr, req.get(), nullptr, 0);
  std::string san = "critical,URI:" + spiffe_id;
  base::extension_ptr ext{X509V3_EXT_nconf_nid(nullptr, &ctx, NID_subject_alt_name, san.c_str())};
  STACK_OF(X509_EXTENSION)* exts = sk_X509_EXTENSION_new_null();
  sk_X509_EXTENSION_push(exts, ext.get());
  base::openssl_check(X509_REQ_add_extensions(req.get(), exts), "X509_REQ_add_extensions");
  sk_X509_EXTENSION_free(exts);
  base::openssl_check(X509_REQ_sign(req.get(), key.get(), EVP_sha256()), "X509_REQ_sign");
  base::bio_ptr bio{BIO_new(BIO_s_mem())};
  base::openssl_check(PEM_write_bio_X509_REQ(bio.get(), req.get()), "PEM_write_bio_X509_REQ");
  return base::bio_contents(bio.get());
}

/// Certificates per CPU second over `n` issues. `whole`: each one the way CreateCertificate will
/// (check_csr, effective_ttl, issue, chain_response); otherwise the signing part alone (issue and
/// chain_response from CSRs checked beforehand), the like-for-like figure next to openssl speed.
double certs_per_second(const ca::signing_bundle& ca, const std::vector<std::string>& csrs, int n,
                        bool whole) {
  auto now = std::chrono::system_clock::now();
  auto ca_not_after = ca::to_time_point(X509_get0_notAfter(ca.cert.get()));
  std::vector<ca::csr_info> checked;
  for (const auto& pem : csrs) {
    auto csr = ca::check_csr(pem);
    if (!std::holds_alternative<ca::csr_info>(csr)) {
      std::fprintf(stderr, "the CSR was refused\n");
      std::exit(1);
    }
    checked.push_back(std::get<ca::csr_info>(std::move(csr)));
  }
  size_t bytes = 0;
  double start = thread_cpu_seconds();
  for (int i = 0; i < n; ++i) {
    auto at = static_cast<size_t>(i) % csrs.size();
    ca::result<ca::csr_info> fresh = ca::error{ca::errc::internal, "unused"};
    if (whole)
      fresh = ca::check_csr(csrs[at]);
    auto ttl = ca::effective_ttl({}, std::chrono::hours{24}, ca_not_after, now);
    if ((whole && !std::holds_alternative<ca::csr_info>(fresh))
        || !std::holds_alternative<std::chrono::seconds>(ttl)) {
      std::fprintf(stderr, "the CSR or TTL was refused\n");
      std::exit(1);
    }
    const auto& csr = whole ? std::get<ca::csr_info>(fresh) : checked[at];
    auto leaf = ca::issue(ca, csr, {spiffe_id, std::get<std::chrono::seconds>(ttl), now, true});
    if (auto* e = std::get_if<ca::error>(&leaf)) {
      std::fprintf(stderr, "issue failed: %s\n", e->message.c_str());
      std::exit(1);
    }
    for (const auto& s : ca::chain_response(ca, std::get<std::string>(leaf)))
      bytes += s.size();
  }
  double cpu = thread_cpu_seconds() - start;
  if (bytes == 0)
    std::exit(1);
  return n / cpu;
}

/// openssl speed's sign/s for `algorithm` (rsa2048 or ecdsap256), or 0 when it cannot be read.
double openssl_sign_per_second(const std::string& algorithm, int seconds) {
  std::string cmd
      = "openssl speed -seconds " + std::to_string(seconds) + " " + algorithm + " 2>/dev/null";
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr)
    return 0;
  std::string out;
  std::array<char, 4096> buf{};
  size_t got = 0;
  while ((got = fread(buf.data(), 1, buf.size(), pipe)) > 0)
    out.append(buf.data(), got);
  pclose(pipe);
  // The result line: "rsa 2048 bits 0.000678s 0.000020s 1475.3 49528.7" or
  // " 256 bits ecdsa (nistp256)   0.0000s   0.0001s  38567.2  12658.3": sign/s is next to last.
  const char* marker = algorithm == "rsa2048" ? "rsa 2048 bits" : "ecdsa (nistp256)";
  std::istringstream lines{out};
  for (std::string line; std::getline(lines, line);) {
    if (line.find(marker) == std::string::npos || line.find('s') == std::string::npos)
      continue;
    std::istringstream words{line};
    std::vector<std::string> w;
    for (std::string word; words >> word;)
      w.push_back(word);
    if (w.size() >= 2)
      return std::atof(w[w.size() - 2].c_str());
  }
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  int n = 2000;
  int speed_seconds = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--certs")
      n = std::atoi(argv[i + 1]);
    else if (flag == "--speed-seconds")
      speed_seconds = std::atoi(argv[i + 1]);
  }
  if (n <= 0 || speed_seconds <= 0) {
    std::fprintf(stderr, "usage: ca_sign_bench [--certs N] [--speed-seconds S]\n");
    return 2;
  }
  std::vector<std::string> csrs;
  for (int i = 0; i < 16; ++i)
    csrs.push_back(ztunnel_csr());
  auto now = std::chrono::system_clock::now();
  std::printf("# CA signing bench (one run; CPU time of one thread; %d certificates per figure)\n",
              n);
  std::printf("| CA key | signing, certs/s per core | whole CreateCertificate path, certs/s per "
              "core | openssl speed sign/s | signing / openssl | target (>= 50 %%) |\n");
  std::printf("|---|---|---|---|---|---|\n");
  bool met = true;
  for (auto kind : {ca::key_kind::rsa_2048, ca::key_kind::ec_p256}) {
    auto root = ca::generate_root({"cluster.local", kind, std::chrono::hours{24 * 3650}}, now);
    if (!std::holds_alternative<ca::signing_bundle>(root)) {
      std::fprintf(stderr, "root generation failed\n");
      return 1;
    }
    const auto& bundle = std::get<ca::signing_bundle>(root);
    double signing = certs_per_second(bundle, csrs, n, false);
    double whole = certs_per_second(bundle, csrs, n, true);
    bool rsa = kind == ca::key_kind::rsa_2048;
    double theirs = openssl_sign_per_second(rsa ? "rsa2048" : "ecdsap256", speed_seconds);
    double ratio = theirs > 0 ? signing / theirs : 0;
    met = met && ratio >= 0.5;
    std::printf("| %s | %.0f | %.0f | %.0f | %.0f %% (whole path: %.0f %%) | %s |\n",
                rsa ? "RSA-2048" : "EC P-256", signing, whole, theirs, ratio * 100,
                theirs > 0 ? whole / theirs * 100 : 0.0, ratio >= 0.5 ? "met" : "**missed**");
  }
  return met ? 0 : 1;
}

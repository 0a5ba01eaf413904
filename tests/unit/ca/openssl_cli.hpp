#pragma once

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include <sys/wait.h>

#include <catch2/catch.hpp>

#include "ca/ca_error.hpp"

/// The real `openssl` command line, for the CA tests: an independent implementation makes the
/// CSRs and checks the certificates the CA issues.
namespace ambient::ca_test {

/// A scratch directory removed at scope end.
class temp_dir {
public:
  temp_dir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "ca-test-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr)
      throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  /// The absolute path of `name` inside the directory.
  std::string file(const std::string& name) const {
    return (path_ / name).string();
  }

  /// Writes `text` to `name`; returns its path.
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream out(file(name), std::ios::binary);
    out << text;
    return file(name);
  }

  /// The bytes of `name`.
  std::string read(const std::string& name) const {
    std::ifstream in(file(name), std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }

private:
  std::filesystem::path path_;
};

/// What a command printed (stdout and stderr) and its exit code.
struct run_result {
  int exit_code = -1;
  std::string output;
};

/// Runs a shell command, capturing its output.
inline run_result run(const std::string& command) {
  run_result r;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr)
    return r;
  std::array<char, 4096> buf{};
  size_t n = 0;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0)
    r.output.append(buf.data(), n);
  int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

/// A CSR made by `openssl req` with a new key (`newkey` as for -newkey, e.g. "ec -pkeyopt
/// ec_paramgen_curve:P-256" or "rsa:2048"), an empty subject and, unless empty, a critical URI
/// SAN. Throws when openssl fails.
inline std::string openssl_csr(const temp_dir& dir, const std::string& newkey,
                               const std::string& uri_san, const std::string& outform = "PEM") {
  std::string cmd = "openssl req -new -newkey " + newkey + " -nodes -subj / -keyout "
                    + dir.file("csr-key.pem") + " -out " + dir.file("csr.out") + " -outform "
                    + outform;
  if (!uri_san.empty())
    cmd += " -addext 'subjectAltName=critical,URI:" + uri_san + "'";
  auto r = run(cmd);
  if (r.exit_code != 0)
    throw std::runtime_error("openssl req failed: " + r.output);
  return dir.read("csr.out");
}

/// A P-256 CSR asking for `uri_san`.
inline std::string p256_csr(const temp_dir& dir, const std::string& uri_san) {
  return openssl_csr(dir, "ec -pkeyopt ec_paramgen_curve:P-256", uri_san);
}

/// The identity most tests ask for.
inline const std::string spiffe_b = "spiffe://cluster.local/ns/a/sa/b";

/// The value of a result the test expects to succeed (FAILs naming the refusal otherwise).
template <class T>
T take(ca::result<T> r) {
  if (auto* e = std::get_if<ca::error>(&r))
    FAIL("unexpected refusal: " << e->message);
  return std::get<T>(std::move(r));
}

} // namespace ambient::ca_test

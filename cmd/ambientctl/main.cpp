// ambientctl: the operator's CLI. Reads a running ambientd's debug port (remote-clusters,
// workloads) and makes remote secrets ambientd will accept (create-remote-secret). The subcommand
// comes first, then its flags. Exit codes: 0 done, 1 the command failed, 2 a usage error.

#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

#include <curl/curl.h>

#include "cmd/ambientctl/remote_secret.hpp"
#include "cmd/ambientctl/tables.hpp"
#include "cmd/flags.hpp"
#include "cmd/version.hpp"
#include "kube/transport.hpp"

namespace {

using namespace ambient::cmd;

constexpr const char* default_address = "127.0.0.1:8080";
constexpr size_t max_body_bytes = 64u << 20;
constexpr long request_timeout_ms = 5000;

const std::string version_text = std::string{"ambientctl "} + version_string;

/// One subcommand: its name, what it does, and its entry point (argv[0] is the subcommand).
struct command {
  const char* name;
  const char* summary;
  int (*run)(int argc, const char* const* argv);
};

/// Parses a subcommand's flags; returns the exit code to stop with, or nullopt to run.
std::optional<int> parse_flags(flag_set& flags, int argc, const char* const* argv) {
  auto r = flags.parse(argc, argv);
  switch (r.outcome) {
    case parse_outcome::run:
      return std::nullopt;
    case parse_outcome::help:
      std::cout << flags.usage();
      return 0;
    case parse_outcome::version:
      std::cout << flags.version() << '\n';
      return 0;
    case parse_outcome::error:
      break;
  }
  std::cerr << "ambientctl: " << r.message << '\n';
  return 2;
}

/// Whether `address` is a bare HOST:PORT that cannot smuggle a path, query or credentials into
/// the URL.
bool is_host_port(std::string_view address) {
  if (address.empty() || address.find(':') == std::string_view::npos)
    return false;
  for (char c : address)
    if (c <= ' ' || c == '/' || c == '?' || c == '#' || c == '@' || c == '\\' || c == 0x7f)
      return false;
  return true;
}

/// A body as shown in an error message: its first line, printable, at most 200 characters.
std::string excerpt(std::string_view body) {
  std::string out;
  for (char c : body.substr(0, body.find('\n')).substr(0, 200))
    out.push_back(c >= 0x20 && c <= 0x7e ? c : '?');
  return out;
}

/// libcurl write callback: appends to the body, aborting past max_body_bytes.
size_t collect(char* data, size_t size, size_t n, void* user) {
  auto* body = static_cast<std::string*>(user);
  if (body->size() + size * n > max_body_bytes)
    return 0; // aborts the transfer
  body->append(data, size * n);
  return size * n;
}

/// GETs http://ADDRESS/PATH from ambientd's debug port; the body, or an error message.
std::optional<std::string> http_get(const std::string& address, const std::string& path,
                                    std::string& error) {
  CURL* h = curl_easy_init();
  if (h == nullptr) {
    error = "cannot initialise libcurl";
    return std::nullopt;
  }
  std::string body;
  char curl_error[CURL_ERROR_SIZE] = {};
  const std::string url = "http://" + address + path;
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, request_timeout_ms);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http");
  curl_easy_setopt(h, CURLOPT_NOPROXY, "*"); // the debug port is reached directly
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, curl_error);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
  CURLcode rc = curl_easy_perform(h);
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(h);
  if (rc == CURLE_WRITE_ERROR) {
    error = "ambientd at " + address + " sent more than " + std::to_string(max_body_bytes >> 20)
            + " MiB for GET " + path;
    return std::nullopt;
  }
  if (rc != CURLE_OK) {
    error = "cannot reach ambientd at " + address + ": "
            + (curl_error[0] != '\0' ? curl_error : curl_easy_strerror(rc));
    return std::nullopt;
  }
  if (status != 200) {
    error = "ambientd at " + address + " answered GET " + path + " with HTTP "
            + std::to_string(status);
    if (auto text = excerpt(body); !text.empty())
      error += ": " + text;
    return std::nullopt;
  }
  return body;
}

/// Fetches `path` and prints the table `render` makes of it.
template <class Render>
int print_table(const std::string& address, const std::string& path, Render render) {
  if (!is_host_port(address)) {
    std::cerr << "ambientctl: --address must be HOST:PORT, not \"" << excerpt(address) << "\"\n";
    return 2;
  }
  std::string error;
  auto body = http_get(address, path, error);
  if (!body) {
    std::cerr << "ambientctl: " << error << '\n';
    return 1;
  }
  table_result table = render(*body);
  if (!table.ok()) {
    std::cerr << "ambientctl: malformed " << path << " from ambientd at " << address << ": "
              << table.error << '\n';
    return 1;
  }
  std::cout << table.text;
  return 0;
}

/// `ambientctl remote-clusters`: GET /debug/clusterz and print istioctl's table.
int run_remote_clusters(int argc, const char* const* argv) {
  std::string address = default_address;
  flag_set flags{"ambientctl remote-clusters",
                 "Lists the clusters ambientd watches and whether each is synced, as istioctl "
                 "remote-clusters does.",
                 version_text};
  flags.add("address", &address, "ambientd's debug address, HOST:PORT");
  if (auto stop = parse_flags(flags, argc, argv))
    return *stop;
  return print_table(address, "/debug/clusterz",
                     [](const std::string& body) { return remote_clusters_table(body); });
}

/// `ambientctl workloads`: GET /debug/workloads and print the filtered, sorted table.
int run_workloads(int argc, const char* const* argv) {
  std::string address = default_address;
  workload_filter filter;
  flag_set flags{"ambientctl workloads",
                 "Lists the workloads of the merged mesh ambientd serves, from every cluster.",
                 version_text};
  flags.add("address", &address, "ambientd's debug address, HOST:PORT");
  flags.add("namespace", &filter.namespace_name, "only workloads in this namespace");
  flags.add("cluster", &filter.cluster, "only workloads of this cluster ID");
  if (auto stop = parse_flags(flags, argc, argv))
    return *stop;
  return print_table(address, "/debug/workloads",
                     [&](const std::string& body) { return workloads_table(body, filter); });
}

/// `ambientctl create-remote-secret`: print the Secret for a kubeconfig ambientd accepts.
int run_create_remote_secret(int argc, const char* const* argv) {
  std::string kubeconfig;
  std::string name;
  std::string ns = "istio-system";
  flag_set flags{"ambientctl create-remote-secret",
                 "Prints the remote secret (as istioctl create-remote-secret does) for a cluster's "
                 "kubeconfig, minified to its current context. Refuses a kubeconfig ambientd "
                 "would refuse.",
                 version_text};
  flags.add("kubeconfig", &kubeconfig, "kubeconfig file of the remote cluster");
  flags.add("name", &name, "cluster ID of the remote cluster (the secret's data key)");
  flags.add("namespace", &ns, "namespace of the secret (ambientd's --system-namespace)");
  if (auto stop = parse_flags(flags, argc, argv))
    return *stop;
  if (kubeconfig.empty()) {
    std::cerr << "ambientctl: --kubeconfig is empty (name the remote cluster's kubeconfig)\n";
    return 1;
  }
  auto text = ambient::kube::read_file(kubeconfig);
  if (!text) {
    std::cerr << "ambientctl: --kubeconfig: cannot read " << kubeconfig << '\n';
    return 1;
  }
  auto secret = make_remote_secret(*text, name, ns);
  if (!secret.ok()) {
    std::cerr << "ambientctl: refusing to make a remote secret: " << secret.error << '\n';
    return 1;
  }
  std::cout << secret.yaml;
  return 0;
}

constexpr command commands[] = {
    {"remote-clusters", "list the clusters ambientd watches and their sync status",
     run_remote_clusters},
    {"workloads", "list the workloads of the merged mesh", run_workloads},
    {"create-remote-secret", "print a remote secret for a kubeconfig ambientd accepts",
     run_create_remote_secret},
};

/// The top-level --help text: the commands and what they do.
std::string usage() {
  std::string out = "Usage: ambientctl COMMAND [flags]\n\nThe operator's CLI for ambientd, the "
                    "Istio ambient multicluster control plane.\n\nCommands:\n";
  for (const auto& c : commands) {
    std::string left = std::string{"  "} + c.name;
    left.append(left.size() < 26 ? 26 - left.size() : 1, ' ');
    out += left + c.summary + "\n";
  }
  out += "\nRun 'ambientctl COMMAND --help' for a command's flags.\n";
  return out;
}

} // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << usage();
    return 2;
  }
  const std::string_view first = argv[1];
  if (first == "--help" || first == "-h" || first == "help") {
    std::cout << usage();
    return 0;
  }
  if (first == "--version") {
    std::cout << version_text << '\n';
    return 0;
  }
  for (const auto& c : commands) {
    if (first != c.name)
      continue;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      std::cerr << "ambientctl: cannot initialise libcurl\n";
      return 1;
    }
    int rc = c.run(argc - 1, argv + 1);
    curl_global_cleanup();
    return rc;
  }
  std::cerr << "ambientctl: unknown command \"" << excerpt(first) << "\"\n\n" << usage();
  return 2;
}

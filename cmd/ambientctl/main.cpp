// ambientctl: the operator's CLI. Reads a running ambientd's debug port (remote-clusters,
// workloads, policies, waypoints) and makes remote secrets ambientd will accept
// (create-remote-secret). The subcommand comes first, then its flags. Exit codes: 0 done, 1 the
// command failed, 2 a usage error.

#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

#include <curl/curl.h>

#include "cmd/ambientctl/debug_port.hpp"
#include "cmd/ambientctl/remote_secret.hpp"
#include "cmd/ambientctl/tables.hpp"
#include "cmd/flags.hpp"
#include "cmd/version.hpp"
#include "kube/transport.hpp"

namespace {

using namespace ambient::cmd;

constexpr const char* default_address = "127.0.0.1:8080";

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

/// What a verb that prints one filtered table says about itself and where it reads.
struct filtered_verb {
  const char* name;    ///< "ambientctl workloads"
  const char* summary; ///< its --help text
  const char* rows;    ///< what --namespace and --cluster keep, e.g. "workloads"
  const char* path;    ///< the debug endpoint
  table_result (*table)(std::string_view, const workload_filter&);
};

/// A verb with --address, --namespace and --cluster that GETs one endpoint and prints its table.
int run_filtered(const filtered_verb& v, int argc, const char* const* argv) {
  std::string address = default_address;
  workload_filter filter;
  flag_set flags{v.name, v.summary, version_text};
  flags.add("address", &address, "ambientd's debug address, HOST:PORT");
  const std::string rows = v.rows;
  flags.add("namespace", &filter.namespace_name, "only " + rows + " in this namespace");
  flags.add("cluster", &filter.cluster, "only " + rows + " of this cluster ID");
  if (auto stop = parse_flags(flags, argc, argv))
    return *stop;
  return print_table(address, v.path,
                     [&](const std::string& body) { return v.table(body, filter); });
}

/// `ambientctl workloads`: GET /debug/workloads and print the filtered, sorted table.
int run_workloads(int argc, const char* const* argv) {
  return run_filtered(
      {"ambientctl workloads",
       "Lists the workloads of the merged mesh ambientd serves, from every cluster.", "workloads",
       "/debug/workloads", workloads_table},
      argc, argv);
}

/// `ambientctl policies`: GET /debug/policies and print them; with --workload, only the ones
/// that workload lists (read from /debug/workloads), in its order.
int run_policies(int argc, const char* const* argv) {
  std::string address = default_address;
  std::string workload;
  flag_set flags{"ambientctl policies",
                 "Lists the Authorization policies ambientd serves and how many workloads list "
                 "each; with --workload, the ones that workload lists, in the order ztunnel "
                 "reads them.",
                 version_text};
  flags.add("address", &address, "ambientd's debug address, HOST:PORT");
  flags.add("workload", &workload, "only the policies of the workload with this uid");
  if (auto stop = parse_flags(flags, argc, argv))
    return *stop;
  if (workload.empty())
    return print_table(address, "/debug/policies",
                       [](const std::string& body) { return policies_table(body, nullptr); });
  std::string body;
  if (auto stop = fetch(address, "/debug/workloads", body))
    return *stop;
  auto listed = workload_policies(body, workload);
  if (!listed.error.empty())
    return print_result({{}, listed.error}, address, "/debug/workloads");
  if (!listed.found) {
    std::cerr << "ambientctl: ambientd at " << address << " serves no workload with uid \""
              << excerpt(workload) << "\"\n";
    return 1;
  }
  return print_table(address, "/debug/policies", [&](const std::string& policies) {
    return policies_table(policies, &listed.policies);
  });
}

/// `ambientctl waypoints`: GET /debug/waypoints and print the waypoints and the objects naming
/// one.
int run_waypoints(int argc, const char* const* argv) {
  return run_filtered({"ambientctl waypoints",
                       "Lists every cluster's waypoints (Gateways with a status address) and the "
                       "Services and pods that name one, with whether each is bound or istiod's "
                       "reason why not.",
                       "waypoints and objects", "/debug/waypoints", waypoints_table},
                      argc, argv);
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
    {"policies", "list the authorization policies served and the workloads carrying them",
     run_policies},
    {"waypoints", "list the waypoints and the services and pods bound to them", run_waypoints},
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

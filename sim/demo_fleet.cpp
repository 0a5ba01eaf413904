#include "sim/demo_fleet.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <stdexcept>
#include <system_error>

#include "sim/demo_objects.hpp"
#include "sim/kubeconfig_writer.hpp"
#include "sim/objects.hpp"

namespace ambient::sim {

namespace {

using std::chrono::milliseconds;

constexpr size_t cluster_count = 4;
constexpr const char* networks[cluster_count]
    = {"network-1", "network-1", "network-2", "network-2"};
constexpr const char* regions[cluster_count]
    = {"us-east1", "us-east1", "europe-west1", "europe-west4"};
constexpr const char* app_namespace = "bookinfo";
constexpr int app_port = 9080;

/// One bookinfo pod: which cluster (index) runs which version of which app.
struct demo_pod {
  size_t cluster;
  const char* app;
  const char* version;
};

/// reviews v1/v2/v3 over all four clusters, so the merged view visibly merges; details only in
/// network-1 and local, so its copies stay apart.
constexpr demo_pod pods[] = {
    {0, "productpage", "v1"}, {0, "details", "v1"},     {0, "reviews", "v1"}, {0, "ratings", "v1"},
    {1, "details", "v1"},     {1, "reviews", "v2"},     {1, "ratings", "v1"}, {2, "reviews", "v3"},
    {2, "ratings", "v1"},     {3, "productpage", "v1"}, {3, "reviews", "v2"},
};

/// The address of cluster c's east-west gateway (a documentation address, RFC 5737).
std::string east_west_address(size_t c) {
  return "203.0.113." + std::to_string(c + 1);
}

std::string duration_text(milliseconds d) {
  return std::to_string(d.count()) + " ms";
}

const resource_type& core(const char* resource) {
  return *find_resource("", "v1", resource);
}

std::string remote_secret_json(const std::string& cluster_id, const std::string& kubeconfig) {
  return make_secret_json("istio-system", demo_fleet::remote_secret_name(cluster_id),
                          {{"istio/multiCluster", "true"}}, {{cluster_id, kubeconfig}},
                          std::chrono::system_clock::now());
}

/// What an operator gets wrong: the right cluster and credentials, but a plain-http server URL,
/// which kube::parse_kubeconfig refuses.
std::string malformed_kubeconfig(const sim_cluster& c) {
  kubeconfig_spec spec;
  spec.cluster_name = c.name();
  spec.server = "http://127.0.0.1:" + std::to_string(c.port());
  spec.ca_pem = c.ca_pem();
  spec.token = c.token();
  return write_kubeconfig(spec);
}

std::string mesh_config_yaml(const std::string& config_cluster) {
  return "# The mesh of ambientd --demo, written by kube-sim's demo fleet.\nclusterId: "
         + config_cluster + "\nnetwork: " + networks[0] + R"(
trustDomain: cluster.local
clusterDomain: cluster.local
serviceScopeConfigs:
- servicesSelector:
    matchLabels:
      istio.io/global: "true"
  scope: GLOBAL
)";
}

void check(const demo_options& o) {
  if (o.dir.empty())
    throw std::invalid_argument("demo fleet: dir must name a directory for the kubeconfigs and "
                                "the mesh config");
  auto not_negative = [](milliseconds d, const char* name) {
    if (d.count() < 0)
      throw std::invalid_argument(std::string{"demo fleet: "} + name + " must not be negative (got "
                                  + std::to_string(d.count()) + " ms)");
  };
  not_negative(o.fix_secret_after, "fix_secret_after");
  not_negative(o.outage_at, "outage_at");
  if (o.outage_length.count() <= 0)
    throw std::invalid_argument("demo fleet: outage_length must be positive (got "
                                + std::to_string(o.outage_length.count()) + " ms)");
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out{path, std::ios::trunc};
  if (!(out << text << std::flush))
    throw std::runtime_error("demo fleet: cannot write " + path);
}

} // namespace

demo_fleet::demo_fleet(demo_options opts) : opts_(std::move(opts)) {
  check(opts_);
  std::error_code ec;
  std::filesystem::create_directories(opts_.dir, ec);
  if (ec || !std::filesystem::is_directory(opts_.dir, ec))
    throw std::runtime_error("demo fleet: cannot create the directory " + opts_.dir + ": "
                             + (ec ? ec.message() : "a file of that name exists"));
  mesh_config_path_ = opts_.dir + "/mesh-config.yaml";
  write_file(mesh_config_path_, mesh_config_yaml(config_cluster_));

  fleet_options fo;
  fo.clusters = cluster_count;
  fo.name_prefix = "cluster-";
  fo.kubeconfig_dir = opts_.dir;
  fo.server.bookmark_interval = std::chrono::seconds{5};
  fleet_ = std::make_unique<fleet>(fo);
  fleet_->start();
  populate();

  const auto& down = *fleet_->find(outage_cluster_);
  script_.push_back({opts_.fix_secret_after, [this] {
                       auto secret = "remote secret istio-system/"
                                     + remote_secret_name(bad_secret_cluster_);
                       if (auto error = fix_secret(); !error.empty())
                         return bad_secret_cluster_ + ": could not fix " + secret + ": " + error;
                       return bad_secret_cluster_ + ": " + secret
                              + " fixed (its kubeconfig now uses https://); ambientd starts "
                                "watching the cluster";
                     }});
  script_.push_back({opts_.outage_at, [this, url = down.server_url()] {
                       fleet_->find(outage_cluster_)->down();
                       return outage_cluster_ + ": API server down, " + url
                              + " refuses connections; ambientd keeps its last state and retries";
                     }});
  script_.push_back({opts_.outage_at + opts_.outage_length, [this, url = down.server_url()] {
                       try {
                         fleet_->find(outage_cluster_)->up();
                       } catch (const std::exception& e) { // e.g. the port was taken meanwhile
                         return outage_cluster_ + ": API server could not come back: " + e.what();
                       }
                       return outage_cluster_ + ": API server back on " + url
                              + "; ambientd reconnects and resyncs";
                     }});
  std::stable_sort(script_.begin(), script_.end(),
                   [](const step& a, const step& b) { return a.at < b.at; });
}

demo_fleet::~demo_fleet() = default;

std::string demo_fleet::config_kubeconfig_path() const {
  return fleet_->cluster(0).kubeconfig_path();
}

std::vector<std::string> demo_fleet::cluster_ids() const {
  std::vector<std::string> ids;
  for (size_t i = 0; i < fleet_->size(); ++i)
    ids.push_back(fleet_->cluster(i).name());
  return ids;
}

std::vector<std::string> demo_fleet::describe() const {
  std::vector<std::string> lines;
  for (size_t i = 0; i < fleet_->size(); ++i) {
    auto& c = fleet_->cluster(i);
    std::string role = "remote, secret istio-system/" + remote_secret_name(c.name());
    if (c.name() == config_cluster_)
      role = "config cluster, kubeconfig " + c.kubeconfig_path();
    else if (c.name() == bad_secret_cluster_)
      role += " (malformed until " + duration_text(opts_.fix_secret_after) + ")";
    else if (c.name() == outage_cluster_)
      role += " (down from " + duration_text(opts_.outage_at) + " for "
              + duration_text(opts_.outage_length) + ")";
    lines.push_back(c.name() + "  " + networks[i] + "  " + c.server_url() + "  " + role);
  }
  lines.push_back("mesh config " + mesh_config_path_);
  return lines;
}

std::vector<demo_event> demo_fleet::advance(milliseconds elapsed) {
  std::vector<demo_event> done;
  for (; next_step_ < script_.size() && script_[next_step_].at <= elapsed; ++next_step_)
    done.push_back({script_[next_step_].at, script_[next_step_].run()});
  return done;
}

void demo_fleet::populate() {
  const auto now = std::chrono::system_clock::now();
  for (size_t c = 0; c < cluster_count; ++c) {
    auto& cluster = fleet_->cluster(c);
    const auto index = static_cast<uint32_t>(c);
    // The cluster's network: the label ambientd reads from its system namespace.
    auto patch = parse_json(R"({"metadata":{"labels":{"topology.istio.io/network":")"
                                + std::string{networks[c]} + "\"}}}",
                            nullptr);
    auto patched = cluster.data().patch(core("namespaces"), "", "istio-system",
                                        store::patch_type::merge, *patch);
    if (patched.error)
      throw std::logic_error("demo fleet: labelling istio-system failed: "
                             + patched.error->message);
    for (uint32_t n = 0; n < 2; ++n)
      must_create(cluster, core("nodes"), "",
                  make_node_json("node-" + std::to_string(n + 1), regions[c],
                                 std::string{regions[c]} + (n == 0 ? "-b" : "-c"),
                                 node_ip(index, n), now));
    // The config cluster's bookinfo sends its traffic through a waypoint.
    std::map<std::string, std::string> ns_labels{{"istio.io/dataplane-mode", "ambient"}};
    if (c == 0)
      ns_labels["istio.io/use-waypoint"] = "waypoint";
    must_create(cluster, core("namespaces"), "",
                make_namespace_json(app_namespace, ns_labels, now));
    must_create(cluster, core("serviceaccounts"), app_namespace,
                make_service_account_json(app_namespace, "default", now));
    const auto& gateways = *find_resource("gateway.networking.k8s.io", "v1", "gateways");
    if (std::string{networks[c]} != networks[0])
      must_create(cluster, gateways, "istio-system",
                  east_west_gateway_json(networks[c], east_west_address(c)));
    else if (c == 0) // the config cluster reaches network-2 through cluster-3's gateway
      must_create(cluster, gateways, "istio-system",
                  remote_gateway_json(networks[2], east_west_address(2)));

    std::set<std::string> services; // the apps that have their Service already
    uint32_t pod_index = 0;
    for (const auto& d : pods) {
      if (d.cluster != c)
        continue;
      const std::string app = d.app;
      if (!services.count(app)) {
        std::map<std::string, std::string> labels{{"app", app}, {"service", app}};
        if (app != "details") // every service but details is global
          labels["istio.io/global"] = "true";
        must_create(cluster, core("services"), app_namespace,
                    make_service_json(app_namespace, app, {{"app", app}},
                                      service_ip(index, static_cast<uint32_t>(services.size())),
                                      {{"http", app_port, std::to_string(app_port)}}, now, labels));
        // The account its pods run as, so TokenRequests for them work.
        must_create(cluster, core("serviceaccounts"), app_namespace,
                    make_service_account_json(app_namespace, "bookinfo-" + app, now));
        services.insert(app);
      }
      pod_params p;
      p.namespace_ = app_namespace;
      p.owner_name = app + "-" + d.version + "-5c8d7f9b6";
      p.name = p.owner_name + "-" + std::to_string(c + 1) + std::to_string(pod_index);
      p.node_name = "node-" + std::to_string(pod_index % 2 + 1);
      p.host_ip = node_ip(index, pod_index % 2);
      p.pod_ip = pod_ip(index, pod_index);
      p.service_account = "bookinfo-" + app;
      p.labels = {{"app", app}, {"version", d.version}, {"pod-template-hash", "5c8d7f9b6"}};
      // What istio-cni writes on a pod it redirected; istiod (and ambientd) read this.
      p.annotations["ambient.istio.io/redirection"] = "enabled";
      p.container_ports = {{"http", app_port}};
      must_create(cluster, core("pods"), app_namespace, make_pod_json(p, now));
      ++pod_index;
    }
    if (c == 0) {
      auto used = static_cast<uint32_t>(services.size());
      create_legacy_db(cluster, service_ip(index, used));
      create_waypoint(cluster, app_namespace, service_ip(index, used + 1), pod_ip(index, pod_index),
                      node_ip(index, 0));
    }
  }

  auto& config = fleet_->cluster(0);
  for (size_t c = 1; c < cluster_count; ++c) {
    auto& remote = fleet_->cluster(c);
    auto kubeconfig
        = remote.name() == bad_secret_cluster_ ? malformed_kubeconfig(remote) : remote.kubeconfig();
    must_create(config, core("secrets"), "istio-system",
                remote_secret_json(remote.name(), kubeconfig));
  }
}

std::string demo_fleet::fix_secret() {
  auto& remote = *fleet_->find(bad_secret_cluster_);
  const auto& secrets = core("secrets");
  const auto name = remote_secret_name(remote.name());
  const auto secret = remote_secret_json(remote.name(), remote.kubeconfig());
  auto& config = fleet_->cluster(0).data();
  auto r = config.update(secrets, "istio-system", name, *parse_json(secret, nullptr));
  if (r.error && r.error->code == 404) // someone deleted it meanwhile: put the good one back
    r = config.create(secrets, "istio-system", *parse_json(secret, nullptr));
  return r.error ? r.error->message : std::string{};
}

} // namespace ambient::sim

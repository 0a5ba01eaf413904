#include "cmd/ambientd/demo.hpp"

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <ostream>
#include <stdexcept>

#include "actors/ask.hpp"
#include "cmd/ambientctl/tables.hpp"
#include "messages/type_ids.hpp"
#include "telemetry/log.hpp"

namespace ambient::cmd {

namespace {

std::string make_temp_dir() {
  auto pattern = (std::filesystem::temp_directory_path() / "ambientd-demo-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr)
    throw std::runtime_error("demo: cannot create a directory under "
                             + std::filesystem::temp_directory_path().string());
  return pattern;
}

std::string seconds(std::chrono::milliseconds d) {
  auto tenths = d.count() / 100;
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + "s";
}

} // namespace

demo_run::demo_run() : dir_(make_temp_dir()) {
  sim::demo_options o;
  o.dir = dir_;
  try {
    fleet_ = std::make_unique<sim::demo_fleet>(o);
  } catch (...) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    throw;
  }
}

demo_run::~demo_run() {
  fleet_.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void demo_run::configure(ambientd_options& opts) const {
  opts.cluster_id = fleet_->config_cluster_id();
  opts.kubeconfig = fleet_->config_kubeconfig_path();
  opts.mesh_config = fleet_->mesh_config_path();
  // The demo serves ztunnel's TLS port too, with the built-in CA issuing its certificate.
  if (opts.xds_tls_address.empty())
    opts.xds_tls_address = "127.0.0.1:15012";
}

std::vector<std::string> demo_run::ztunnel_hints(int tls_port, const std::string& root_file,
                                                 const ambientd_options& opts) const {
  auto url = "https://127.0.0.1:" + std::to_string(tls_port);
  return {
      "ztunnel (or anything that speaks as it does) reaches the demo with XDS_ADDRESS=" + url
          + " CA_ADDRESS=" + url + " ALT_XDS_HOSTNAME=istiod." + opts.system_namespace
          + ".svc XDS_ROOT_CA=" + root_file + " CA_ROOT_CA=" + root_file
          + " CLUSTER_ID=" + opts.cluster_id,
      "its token: kubectl --kubeconfig " + opts.kubeconfig
          + " create token <service account> -n <namespace> --audience istio-ca"
            " --bound-object-kind Pod --bound-object-name <pod>, written to AUTH_TOKEN",
  };
}

std::vector<std::string> demo_run::describe() const {
  return fleet_->describe();
}

void demo_run::tick(std::chrono::milliseconds elapsed, const messages::cluster_store_status* status,
                    std::ostream& out) {
  for (const auto& e : fleet_->advance(elapsed))
    out << "demo +" << seconds(e.at) << "  " << e.what << '\n';
  if (status == nullptr)
    return;
  for (const auto& c : status->clusters) {
    now_[c.cluster_id] = fleet::to_string(c.state);
    if (c.state == fleet::lifecycle::synced)
      ever_synced_.insert(c.cluster_id);
  }
  // istioctl's columns, plus ambientd's own state (a stale cluster is "synced" to istioctl).
  std::vector<std::vector<std::string>> rows{{"NAME", "SECRET", "STATUS", "STATE", "LAST ERROR"}};
  for (const auto& c : status->clusters)
    rows.push_back(
        {c.cluster_id, c.secret, c.sync_status, fleet::to_string(c.state), c.last_error});
  auto table = render_table(rows);
  if (table != last_table_) {
    out << "demo +" << seconds(elapsed) << "  clusters:\n" << table << std::flush;
    last_table_ = std::move(table);
  }
}

std::string demo_run::verdict() const {
  std::string missing;
  if (!fleet_->script_done())
    missing += "the demo script did not finish (give --demo-duration more time); ";
  for (const auto& id : fleet_->cluster_ids()) {
    auto it = now_.find(id);
    if (!ever_synced_.contains(id))
      missing += id + " never synced; ";
    else if (it == now_.end() || it->second != "synced")
      missing += id + " is " + (it == now_.end() ? "gone" : it->second) + " at the end; ";
  }
  if (!missing.empty())
    missing.resize(missing.size() - 2);
  return missing;
}

int demo_run::run(const ambientd_options& opts, signal_waiter& signals, caf::actor_system& system,
                  const caf::actor& store, death_record& death) {
  auto log = telemetry::make_logger("ambientd");
  auto start = std::chrono::steady_clock::now();
  for (;;) {
    auto sig = signals.wait_for(std::chrono::milliseconds{500});
    auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    auto status = actors::ask<messages::cluster_store_status>(
        system, store, std::chrono::seconds{2}, atom::status_v);
    tick(elapsed, status ? &*status : nullptr, std::cout);
    if (sig)
      return exit_code_for(*sig, death);
    if (opts.demo_duration.count() > 0 && elapsed >= opts.demo_duration) {
      if (auto missing = verdict(); !missing.empty()) {
        log->error("demo: after {} ms: {}", opts.demo_duration.count(), missing);
        return 1;
      }
      log->info("demo: every cluster reached synced and is synced now; stopping after {} ms",
                opts.demo_duration.count());
      return 0;
    }
  }
}

std::unique_ptr<demo_run> start_demo(ambientd_options& opts, spdlog::logger& log) {
  std::unique_ptr<demo_run> demo;
  try {
    demo = std::make_unique<demo_run>();
  } catch (const std::exception& e) {
    log.critical("--demo: {}", e.what());
    return nullptr;
  }
  demo->configure(opts);
  for (const auto& line : demo->describe())
    log.info("demo: {}", line);
  return demo;
}

} // namespace ambient::cmd

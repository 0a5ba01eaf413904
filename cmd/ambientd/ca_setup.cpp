#include "cmd/ambientd/ca_setup.hpp"

#include <fstream>
#include <functional>
#include <future>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "ca/ca_secret.hpp"
#include "ca/issuer.hpp"
#include "ca/root_ca.hpp"
#include "fleet/ca_secret_sync.hpp"

namespace ambient::cmd {

namespace {

using clock_type = std::chrono::system_clock;

/// Writes `text` to `path`, readable by this user only, through a temporary file renamed over it.
bool write_private(const std::filesystem::path& path, const std::string& text) {
  auto tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out{tmp, std::ios::binary | std::ios::trunc};
    out << text;
    if (!out)
      return false;
  }
  std::error_code ec;
  std::filesystem::permissions(
      tmp, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write, ec);
  if (!ec)
    std::filesystem::rename(tmp, path, ec);
  return !ec;
}

/// The data of Secret istio-ca-secret: read, or created with `make_root` when there is none (a
/// 409 means another replica won: theirs is read). Retries for `patience`; a string says why not.
std::variant<std::map<std::string, std::string>, std::string>
shared_root_data(const shared_root_store& store, const std::string& ns,
                 const std::function<std::map<std::string, std::string>()>& make_root,
                 std::chrono::milliseconds patience) {
  auto& transport = *store.transport;
  auto client = transport.add_client(store.settings);
  fleet::ca_secret_sync sync{ns, "istio-ca-secret"};
  auto call = sync.start();
  auto give_up = std::chrono::steady_clock::now() + patience;
  std::variant<std::map<std::string, std::string>, std::string> out;
  while (true) {
    std::promise<kube::response_end> answered;
    auto end = answered.get_future();
    transport.start(client, call.method, call.path, call.body, {},
                    [&answered](kube::response_end e) { answered.set_value(std::move(e)); });
    auto step = sync.on_response(end.get(), make_root);
    if (step.data) {
      out = std::move(*step.data);
      break;
    }
    if (step.call) {
      call = std::move(*step.call);
      continue;
    }
    if (std::chrono::steady_clock::now() >= give_up) {
      out = step.error;
      break;
    }
    std::this_thread::sleep_for(std::chrono::seconds{1});
    call = sync.start();
  }
  transport.remove_client(client);
  return out;
}

} // namespace

std::variant<std::map<std::string, std::string>, std::string>
read_cacerts(const std::filesystem::path& dir) {
  std::map<std::string, std::string> out;
  for (const char* name : {"ca-cert.pem", "ca-key.pem", "cert-chain.pem", "root-cert.pem"}) {
    auto path = dir / name;
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
      continue;
    std::ifstream in{path, std::ios::binary};
    std::ostringstream text;
    text << in.rdbuf();
    if (!in && !in.eof())
      return "cannot read " + path.string();
    out.emplace(name, text.str());
  }
  return out;
}

std::string write_listener_files(const xds::tls_files& files, const ca::keeper_step& step) {
  if (step.serving
      && (!write_private(files.key_file, step.serving->cert.key_pem)
          || !write_private(files.cert_file, step.serving->cert.cert_chain_pem)))
    return "cannot write " + files.cert_file + " and " + files.key_file;
  if (step.listener_roots && !write_private(files.ca_file, *step.listener_roots))
    return "cannot write " + files.ca_file;
  return {};
}

std::vector<std::string> serving_dns_names(const ambientd_options& opts) {
  std::vector<std::string> out;
  for (const char* host : {"istiod", "istiod-remote", "istio-pilot"})
    out.push_back(fmt::format("{}.{}.svc", host, opts.system_namespace));
  for (const auto& extra : opts.xds_extra_sans)
    out.push_back(extra);
  return out;
}

std::variant<ca_setup, std::string> setup_ca(const ambientd_options& opts,
                                             const std::string& trust_domain,
                                             const std::optional<shared_root_store>& store) {
  auto now = clock_type::now();
  ca_setup out;
  ca::signer::params params;
  params.ttl.max_ttl = std::chrono::duration_cast<std::chrono::seconds>(opts.max_workload_cert_ttl);
  params.refuse_foreign_sans = !opts.ca_accept_csr_sans;
  out.signer = std::make_shared<ca::signer>(params);

  std::map<std::string, std::string> files;
  if (!opts.cacerts_dir.empty()) {
    auto read = read_cacerts(opts.cacerts_dir);
    if (auto* e = std::get_if<std::string>(&read))
      return "--cacerts-dir " + opts.cacerts_dir + ": " + *e;
    files = std::move(std::get<std::map<std::string, std::string>>(read));
  }
  std::shared_ptr<const ca::signing_bundle> bundle;
  if (files.contains("ca-key.pem")) {
    out.from = ca_setup::origin::plugged_in;
    auto loaded = ca::load_signing_bundle(files, now);
    if (auto* e = std::get_if<ca::error>(&loaded))
      return "--cacerts-dir " + opts.cacerts_dir + ": " + e->message;
    bundle = std::make_shared<const ca::signing_bundle>(
        std::move(std::get<ca::signing_bundle>(loaded)));
    out.source = "plugged-in CA from " + opts.cacerts_dir;
  } else {
    ca::root_options root;
    root.trust_domain = trust_domain;
    root.key = opts.ca_key_type == "ec-p256" ? ca::key_kind::ec_p256 : ca::key_kind::rsa_2048;
    bool created = false;
    std::string make_error;
    auto make_root = [&]() -> std::map<std::string, std::string> {
      auto made = ca::generate_root(root, now);
      if (auto* e = std::get_if<ca::error>(&made)) {
        make_error = e->message;
        return {};
      }
      created = true;
      return ca::to_secret_data(std::get<ca::signing_bundle>(made));
    };
    files.clear();
    auto& data = files;
    if (store) {
      out.from = ca_setup::origin::shared_secret;
      auto shared
          = shared_root_data(*store, opts.system_namespace, make_root, std::chrono::seconds{30});
      if (auto* e = std::get_if<std::string>(&shared))
        return "self-signed CA: " + *e;
      data = std::move(std::get<std::map<std::string, std::string>>(shared));
      out.source = "self-signed root in secret " + opts.system_namespace + "/istio-ca-secret ("
                   + (created ? "created by this replica" : "read") + ")";
    } else {
      data = make_root();
      out.source = "self-signed root (O=" + trust_domain + ", " + opts.ca_key_type
                   + "), made at start-up and kept in memory (no config cluster to share it in)";
    }
    if (!make_error.empty())
      return "self-signed CA: " + make_error;
    auto loaded = ca::load_signing_bundle(data, now);
    if (auto* e = std::get_if<ca::error>(&loaded))
      return "self-signed CA from secret " + opts.system_namespace
             + "/istio-ca-secret: " + e->message;
    bundle = std::make_shared<const ca::signing_bundle>(
        std::move(std::get<ca::signing_bundle>(loaded)));
  }
  out.signer->install(bundle);
  ca::ca_keeper_core::serving_params listener{serving_dns_names(opts),
                                              std::chrono::hours{24 * 365}};
  if (opts.xds_tls_address.empty() || !opts.xds_tls_cert.empty()) {
    out.keeper = std::make_shared<ca::ca_keeper_core>(files, bundle, listener, std::nullopt);
    return out;
  }
  auto serving = ca::issue_listener_cert(*bundle, listener, now);
  if (auto* e = std::get_if<ca::error>(&serving))
    return "serving certificate for --xds-tls-address: " + e->message;
  const auto& issued = std::get<ca::issued_serving_cert>(serving);
  const auto& cert = issued.cert;
  out.keeper = std::make_shared<ca::ca_keeper_core>(files, bundle, listener, issued);
  out.dir = std::filesystem::temp_directory_path()
            / fmt::format("ambientd-xds-tls-{}-{:08x}", ::getpid(), std::random_device{}());
  std::error_code ec;
  std::filesystem::create_directory(out.dir, ec);
  if (ec)
    return "cannot create " + out.dir.string() + ": " + ec.message();
  std::filesystem::permissions(out.dir, std::filesystem::perms::owner_all, ec);
  xds::tls_files tls{(out.dir / "cert.pem").string(), (out.dir / "key.pem").string(),
                     (out.dir / "ca.pem").string()};
  if (!write_private(tls.cert_file, cert.cert_chain_pem)
      || !write_private(tls.key_file, cert.key_pem)
      || !write_private(tls.ca_file, bundle->roots_pem))
    return "cannot write the serving certificate to " + out.dir.string();
  out.serving = tls;
  return out;
}

void remove_ca_files(const ca_setup& setup) {
  if (setup.dir.empty())
    return;
  std::error_code ec;
  std::filesystem::remove_all(setup.dir, ec);
}

} // namespace ambient::cmd

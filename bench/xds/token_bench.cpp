#include "bench/xds/token_bench.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <caf/all.hpp>
#include <grpcpp/grpcpp.h>

#include "actors/xds_publisher.hpp"
#include "bench/xds/client_process.hpp"
#include "bench/xds/token_cluster.hpp"
#include "mesh/context.hpp"
#include "messages/registration.hpp"
#include "messages/type_ids.hpp"

namespace ambient::bench {

namespace {

/// A pass stops waiting for clients without a response after this long.
constexpr int give_up_s = 60;

/// One pass of the clients: each one's time to its first response (ms), and the retries.
struct pass_result {
  std::vector<double> first_ms;
  int retries = 0;
  int unfinished = 0; ///< clients without a response when the pass gave up
  double wall_s = 0;
};

pass_result run_pass(const std::string& self, const std::vector<std::string>& args) {
  auto t0 = std::chrono::steady_clock::now();
  client_process c{self, args};
  pass_result out;
  for (std::string l = c.line(); l != "end"; l = c.line()) {
    std::istringstream in{l};
    if (l.starts_with("retries")) {
      std::string word;
      in >> word >> out.retries;
      continue;
    }
    if (l.starts_with("unfinished")) {
      std::string word;
      in >> word >> out.unfinished;
      continue;
    }
    int64_t start = 0, done = 0;
    in >> start >> done;
    out.first_ms.push_back(static_cast<double>(done - start) / 1e6);
  }
  out.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

} // namespace

void run_token_bench(const std::string& self, int clients,
                     const std::vector<mesh::address_ptr>& view,
                     std::chrono::milliseconds deadline) {
  auto started = std::chrono::steady_clock::now();
  auto dir
      = std::filesystem::temp_directory_path() / ("xds-bench-tokens-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  caf::actor_system_config cfg;
  messages::register_types(cfg);
  caf::actor_system sys{cfg};
  telemetry::registry metrics;
  auto publisher
      = sys.spawn(actors::xds_publisher_impl, actors::xds_publisher_config{&metrics, {}});
  {
    token_cluster kube{sys, metrics, clients, dir.string(), deadline};
    auto setup_s
        = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    // One service on both listeners, as ambientd serves them: the plaintext one admits anyone.
    xds::ads_service service{actors::forward_to(publisher), kube.authenticator()};
    grpc::ServerBuilder b;
    int plain_port = 0, tls_port = 0;
    b.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &plain_port);
    b.AddListeningPort("127.0.0.1:0", kube.server_credentials(), &tls_port);
    b.RegisterService(&service);
    b.SetMaxSendMessageSize(-1);
    auto server = b.BuildAndStart();
    if (!server)
      throw std::runtime_error("cannot start the gRPC server");
    auto d = std::make_shared<mesh::mesh_delta>();
    d->version = 1;
    d->upserted = view;
    d->received = std::chrono::steady_clock::now();
    caf::anon_send(publisher, messages::mesh_delta_ptr{std::move(d)});
    {
      caf::scoped_actor s{sys};
      s->request(publisher, std::chrono::seconds{60}, atom::status_v)
          .receive([](size_t) {}, [](const caf::error&) {});
    }
    auto n = std::to_string(clients);
    std::vector<std::string> common{"--streams", n,   "--channels", n,
                                    "--full",    "1", "--give-up",  std::to_string(give_up_s)};
    auto plain_args = common;
    plain_args.insert(plain_args.end(), {"--port", std::to_string(plain_port)});
    auto tls_args = common;
    tls_args.insert(tls_args.end(),
                    {"--port", std::to_string(tls_port), "--tls-ca", kube.ca_file(),
                     "--tokens-file", kube.tokens_file(), "--cluster-id", kube.cluster_id()});
    auto plain = run_pass(self, plain_args);
    std::this_thread::sleep_for(std::chrono::seconds{2}); // the streams are gone on the server
    auto cold = run_pass(self, tls_args);
    auto served_cold = kube.reviews_served();
    std::this_thread::sleep_for(std::chrono::seconds{2});
    auto warm = run_pass(self, tls_args);
    auto served_warm = kube.reviews_served() - served_cold;

    auto p50 = [](const pass_result& r) {
      return percentile(r.first_ms, 0.5);
    };
    auto p99 = [](const pass_result& r) {
      return percentile(r.first_ms, 0.99);
    };
    auto cell = [&](const pass_result& r) {
      char buf[160];
      if (r.unfinished > 0)
        std::snprintf(buf, sizeof buf, "not reached: %d of %d clients had no response after %d s",
                      r.unfinished, clients, give_up_s);
      else
        std::snprintf(buf, sizeof buf, "%.0f / %.0f ms", p50(r), p99(r));
      return std::string{buf};
    };
    std::printf(
        "| token scenario: %d ztunnels (one connection, one bound token each), a %zu-workload "
        "view | setup %.1f s |\n",
        clients, view.size(), setup_s);
    std::printf("| (a) plaintext: time to first Address response, p50 / p99 | %s |\n",
                cell(plain).c_str());
    std::printf("| (b) TLS + tokens, cold cache, p50 / p99 | %s (%d streams refused, retried) |\n",
                cell(cold).c_str(), cold.retries);
    std::printf("| (c) TLS + tokens, reconnect (warm cache), p50 / p99 | %s (%d refused) |\n",
                cell(warm).c_str(), warm.retries);
    std::printf("| p99 (b) ÷ (a), target ≤ 2× | %.2f×%s |\n", p99(cold) / p99(plain),
                cold.unfinished > 0 ? " (of the clients served)" : "");
    std::printf("| p99 (c) ÷ (a), target ≤ 2× | %.2f×%s |\n", p99(warm) / p99(plain),
                warm.unfinished > 0 ? " (of the clients served)" : "");
    std::printf("| TokenReviews kube-sim served: cold / reconnect | %zu / %zu |\n", served_cold,
                served_warm);
    std::printf("| ambientd_token_reviews_total: authenticated / cached / refused / failed | "
                "%.0f / %.0f / %.0f / %.0f |\n",
                kube.reviews("authenticated"), kube.reviews("cached"), kube.reviews("refused"),
                kube.reviews("failed"));
    std::printf("| review deadline | %lld ms |\n", static_cast<long long>(deadline.count()));
    std::printf("| passes' wall time: (a) / (b) / (c) | %.1f / %.1f / %.1f s |\n", plain.wall_s,
                cold.wall_s, warm.wall_s);
    server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds{2});
  }
  caf::anon_send_exit(publisher, caf::exit_reason::user_shutdown);
  caf::scoped_actor {
    sys
    } -> wait_for(publisher); // it uses `metrics` until it is gone
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

} // namespace ambient::bench

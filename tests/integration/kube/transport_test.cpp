#include <atomic>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include <unistd.h>

#include "kube/transport.hpp"
#include "sim/pki.hpp"
#include "support/sim_fixture.hpp"

using namespace ambient::kube;
using ambient::test::sim_fixture;
using namespace std::chrono_literals;

namespace {

response_end get(transport& t, transport::client_id c, const std::string& path) {
  std::promise<response_end> p;
  auto f = p.get_future();
  t.start(c, "GET", path, {}, nullptr, [&p](response_end e) { p.set_value(std::move(e)); });
  REQUIRE(f.wait_for(30s) == std::future_status::ready);
  return f.get();
}

} // namespace

TEST_CASE("the transport gets a resource with a token or a client certificate",
          "[kube][integration]") {
  sim_fixture fx{1, true};
  transport t;
  auto by_cert = t.add_client(fx.settings(0, true));
  auto r = get(t, by_cert, "/api/v1/namespaces");
  CHECK(r.status == 200);
  CHECK(r.body.find("\"kind\":\"NamespaceList\"") != std::string::npos);
  auto by_token = t.add_client(fx.settings(0, false));
  CHECK(get(t, by_token, "/api/v1/namespaces/default").status == 200);
}

TEST_CASE("the transport reports auth, TLS and connection failures without HTTP confusion",
          "[kube][integration]") {
  sim_fixture fx;
  transport t;
  auto bad_token = fx.settings();
  bad_token.token = "wrong";
  auto r = get(t, t.add_client(bad_token), "/api/v1/namespaces");
  CHECK(r.status == 401);
  CHECK(r.body.find("Unauthorized") != std::string::npos);

  auto wrong_ca = fx.settings();
  wrong_ca.ca_pem = ambient::sim::certificate_authority::create("other").cert_pem();
  auto tls = get(t, t.add_client(wrong_ca), "/api/v1/namespaces");
  CHECK(tls.status == 0);
  CHECK(!tls.error.empty());

  auto named = fx.settings();
  named.tls_server_name = "localhost"; // in the serving certificate's SANs
  CHECK(get(t, t.add_client(named), "/api/v1/namespaces").status == 200);
  named.tls_server_name = "not-in-the-cert.example";
  CHECK(get(t, t.add_client(named), "/api/v1/namespaces").status == 0);

  auto c = t.add_client(fx.settings());
  fx.cluster().down();
  auto down = get(t, c, "/api/v1/namespaces");
  CHECK(down.status == 0);
  CHECK(!down.cancelled);
  fx.cluster().up();
  CHECK(get(t, c, "/api/v1/namespaces").status == 200);
}

TEST_CASE("a streamed watch delivers chunks until it is cancelled", "[kube][integration]") {
  sim_fixture fx;
  transport t;
  auto c = t.add_client(fx.settings());
  std::mutex m;
  std::string received;
  std::promise<response_end> done;
  auto id = t.start(
      c, "GET", "/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=0", {},
      [&](std::string_view chunk) {
        std::lock_guard g{m};
        received.append(chunk);
      },
      [&](response_end e) { done.set_value(std::move(e)); });
  for (int i = 0; i < 2000 && fx.cluster().server().open_watches() == 0; ++i)
    std::this_thread::sleep_for(10ms);
  REQUIRE(fx.cluster().server().open_watches() == 1);
  fx.cluster().data().create(*ambient::sim::find_resource("", "v1", "configmaps"), "default",
                             *ambient::sim::parse_json(R"({"metadata":{"name":"cm1"}})", nullptr));
  bool seen = false;
  for (int i = 0; i < 2000 && !seen; ++i) {
    std::this_thread::sleep_for(10ms);
    std::lock_guard g{m};
    seen = received.find("\"name\":\"cm1\"") != std::string::npos;
  }
  CHECK(seen);
  t.cancel(id);
  auto f = done.get_future();
  REQUIRE(f.wait_for(10s) == std::future_status::ready);
  CHECK(f.get().cancelled);
  CHECK(t.in_flight() == 0);
}

TEST_CASE("a streamed watch says it is open before its first byte of body", "[kube][integration]") {
  sim_fixture fx{1, false, std::chrono::hours{1}}; // no bookmark to carry a byte
  transport t;
  auto c = t.add_client(fx.settings());
  std::mutex m;
  std::vector<std::string> chunks;
  auto rv = std::to_string(fx.cluster().data().resource_version());
  auto id = t.start(
      c, "GET", "/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=" + rv, {},
      [&](std::string_view chunk) {
        std::lock_guard g{m};
        chunks.emplace_back(chunk);
      },
      [](response_end) {});
  bool opened = false;
  for (int i = 0; i < 2000 && !opened; ++i) {
    std::this_thread::sleep_for(10ms);
    std::lock_guard g{m};
    opened = !chunks.empty();
  }
  {
    std::lock_guard g{m};
    REQUIRE(chunks.size() == 1);
    CHECK(chunks.front().empty()); // the open signal: headers in, no event yet
  }
  t.cancel(id);
  // A failed request (404) streams nothing, not even the open signal.
  std::atomic<int> calls{0};
  std::promise<response_end> done;
  t.start(
      c, "GET", "/api/v1/namespaces/default/nosuchthings?watch=true", {},
      [&](std::string_view) { ++calls; }, [&](response_end e) { done.set_value(std::move(e)); });
  auto f = done.get_future();
  REQUIRE(f.wait_for(10s) == std::future_status::ready);
  CHECK(f.get().status == 404);
  CHECK(calls == 0);
}

TEST_CASE("a client's QPS limit spaces its requests out", "[kube][integration]") {
  sim_fixture fx;
  transport t;
  client_limits limits;
  limits.qps = 4;
  limits.burst = 1;
  auto c = t.add_client(fx.settings(), limits);
  auto start = std::chrono::steady_clock::now();
  std::vector<std::future<response_end>> fs;
  std::vector<std::promise<response_end>> ps(5);
  for (auto& p : ps) {
    fs.push_back(p.get_future());
    t.start(c, "GET", "/version", {}, nullptr, [&p](response_end e) { p.set_value(std::move(e)); });
  }
  for (auto& f : fs) {
    REQUIRE(f.wait_for(30s) == std::future_status::ready);
    CHECK(f.get().status == 200);
  }
  // One token at once, then four more at 4 a second: at least a second in all.
  CHECK(std::chrono::steady_clock::now() - start >= 950ms);
}

TEST_CASE("removing a client cancels its open requests", "[kube][integration]") {
  sim_fixture fx;
  transport t;
  auto c = t.add_client(fx.settings());
  std::promise<response_end> done;
  t.start(
      c, "GET", "/api/v1/pods?watch=true", {}, [](std::string_view) {},
      [&](response_end e) { done.set_value(std::move(e)); });
  for (int i = 0; i < 2000 && fx.cluster().server().open_watches() == 0; ++i)
    std::this_thread::sleep_for(10ms);
  t.remove_client(c);
  auto f = done.get_future();
  REQUIRE(f.wait_for(10s) == std::future_status::ready);
  CHECK(f.get().cancelled);
}

namespace {

/// A file in a fresh temporary directory, removed with the object.
struct temp_file {
  std::filesystem::path dir = std::filesystem::temp_directory_path()
                              / ("ambient-transport-" + std::to_string(::getpid()) + "-"
                                 + std::to_string(reinterpret_cast<uintptr_t>(this)));
  std::filesystem::path path = dir / "token";
  temp_file() {
    std::filesystem::create_directories(dir);
  }
  ~temp_file() {
    std::filesystem::remove_all(dir);
  }
  void write(const std::string& text) const {
    std::ofstream{path, std::ios::trunc} << text;
  }
};

} // namespace

TEST_CASE("a rotated token file is picked up without a new client", "[kube][integration]") {
  sim_fixture fx;
  temp_file token;
  token.write(fx.cluster().token() + "\n"); // kubelet's files may end in a newline
  transport t;
  auto s = fx.settings();
  s.token.clear();
  s.token_file = token.path.string();
  client_limits limits;
  limits.token_file_refresh = 100ms;
  auto c = t.add_client(s, limits);
  CHECK(get(t, c, "/api/v1/namespaces").status == 200);
  fx.cluster().revoke_token(); // the old token is refused from now on
  CHECK(get(t, c, "/api/v1/namespaces").status == 401);
  token.write(fx.cluster().token());
  std::this_thread::sleep_for(150ms);
  CHECK(get(t, c, "/api/v1/namespaces").status == 200);
  // A token file that disappears keeps the last token rather than sending none.
  std::filesystem::remove(token.path);
  std::this_thread::sleep_for(150ms);
  CHECK(get(t, c, "/api/v1/namespaces").status == 200);
}

TEST_CASE("files a kubeconfig names are read, and an unreadable one is a clear error",
          "[kube][integration]") {
  sim_fixture fx;
  temp_file ca;
  ca.write(fx.cluster().ca_pem());
  rest_config rc;
  rc.context_name = "ctx";
  rc.server = fx.cluster().server_url();
  rc.ca_file = ca.path.string();
  rc.token = fx.cluster().token();
  auto s = to_connection_settings(rc);
  REQUIRE(std::holds_alternative<connection_settings>(s));
  CHECK(std::get<connection_settings>(s).ca_pem == fx.cluster().ca_pem());
  transport t;
  CHECK(get(t, t.add_client(std::get<connection_settings>(s)), "/api/v1/namespaces").status == 200);
  rc.token_file = (ca.dir / "missing").string();
  auto missing = to_connection_settings(rc);
  REQUIRE(std::holds_alternative<kubeconfig_error>(missing));
  CHECK(std::get<kubeconfig_error>(missing).message.find("cannot read tokenFile file")
        != std::string::npos);
  rc.token_file.clear();
  rc.uses_exec = true;
  REQUIRE(std::holds_alternative<kubeconfig_error>(to_connection_settings(rc)));
}

TEST_CASE("in-cluster credentials come from the service account files", "[kube][integration]") {
  temp_file sa;
  auto restore_host = std::getenv("KUBERNETES_SERVICE_HOST");
  REQUIRE(restore_host == nullptr); // the test machine is not a pod
  CHECK(!in_cluster_config(sa.dir.string()));
  ::setenv("KUBERNETES_SERVICE_HOST", "fd00::1", 1);
  ::unsetenv("KUBERNETES_SERVICE_PORT");
  auto no_port = in_cluster_config(sa.dir.string());
  REQUIRE(no_port);
  CHECK(std::holds_alternative<kubeconfig_error>(*no_port));
  ::setenv("KUBERNETES_SERVICE_PORT", "443", 1);
  auto no_files = in_cluster_config(sa.dir.string());
  REQUIRE(no_files);
  REQUIRE(std::holds_alternative<kubeconfig_error>(*no_files));
  CHECK(std::get<kubeconfig_error>(*no_files).message.find("/token") != std::string::npos);
  sa.write("sa-token");
  std::ofstream{sa.dir / "ca.crt"} << "-----BEGIN CERTIFICATE-----\n";
  auto ok = in_cluster_config(sa.dir.string());
  ::unsetenv("KUBERNETES_SERVICE_HOST");
  ::unsetenv("KUBERNETES_SERVICE_PORT");
  REQUIRE(ok);
  REQUIRE(std::holds_alternative<rest_config>(*ok));
  CHECK(std::get<rest_config>(*ok).server == "https://[fd00::1]:443");
  CHECK(std::get<rest_config>(*ok).token_file == sa.path.string());
}

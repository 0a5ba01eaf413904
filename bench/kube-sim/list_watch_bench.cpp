// Measures kube-sim at scale: LIST latency over HTTPS for a cluster of N pods (whole list and
// paged with limit=500), and how many concurrent watches one process holds while still delivering
// an event to every one of them. Prints a Markdown table.
//
// Usage: kube_sim_bench [--pods N] [--watches W] [--runs R]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <sys/resource.h>
#include <vector>

#include <curl/curl.h>

#include "sim/fleet.hpp"
#include "sim/workload.hpp"

namespace {

using clock_type = std::chrono::steady_clock;

struct options {
  uint32_t pods = 100'000;
  uint32_t watches = 2'000;
  uint32_t runs = 5;
};

size_t sink(char*, size_t, size_t n, void* user) {
  *static_cast<size_t*>(user) += n;
  return n;
}

size_t collect(char* p, size_t, size_t n, void* user) {
  static_cast<std::string*>(user)->append(p, n);
  return n;
}

CURL* make_easy(const std::string& url, const std::string& ca, curl_slist* headers) {
  CURL* h = curl_easy_init();
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_blob blob{const_cast<char*>(ca.data()), ca.size(), CURL_BLOB_COPY};
  curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &blob);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  return h;
}

double percentile(std::vector<double> xs, double p) {
  std::sort(xs.begin(), xs.end());
  auto idx = static_cast<size_t>(p * static_cast<double>(xs.size() - 1) + 0.5);
  return xs[std::min(idx, xs.size() - 1)];
}

/// Extracts metadata.continue from a list page (plain text search; the bench trusts kube-sim).
std::string continue_of(const std::string& body) {
  auto pos = body.find("\"continue\":\"");
  if (pos == std::string::npos || pos > 512)
    return {};
  pos += 12;
  return body.substr(pos, body.find('"', pos) - pos);
}

} // namespace

int main(int argc, char** argv) {
  options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string f = argv[i];
    auto v = static_cast<uint32_t>(std::stoul(argv[i + 1]));
    if (f == "--pods")
      o.pods = v;
    else if (f == "--watches")
      o.watches = v;
    else if (f == "--runs")
      o.runs = std::max<uint32_t>(1, v);
    else {
      std::fprintf(stderr, "unknown flag %s\n", f.c_str());
      return 2;
    }
  }
  rlimit rl{};
  getrlimit(RLIMIT_NOFILE, &rl);
  rl.rlim_cur = rl.rlim_max;
  setrlimit(RLIMIT_NOFILE, &rl);
  curl_global_init(CURL_GLOBAL_DEFAULT);

  ambient::sim::fleet_options fo;
  fo.clusters = 1;
  fo.threads = 2;
  fo.history_limit = 10'000;
  ambient::sim::fleet fleet{fo};
  fleet.start();
  auto& c = fleet.cluster(0);
  auto seed_start = clock_type::now();
  ambient::sim::seed_workloads(c.data(), 0, {20, 50, 1000, o.pods, true});
  double seed_s = std::chrono::duration<double>(clock_type::now() - seed_start).count();

  std::string ca = c.ca_pem();
  curl_slist* headers = curl_slist_append(nullptr, ("Authorization: Bearer " + c.token()).c_str());
  auto base = c.server_url();

  // LIST, whole.
  std::vector<double> whole_ms, paged_ms;
  size_t whole_bytes = 0;
  for (uint32_t r = 0; r < o.runs; ++r) {
    size_t bytes = 0;
    CURL* h = make_easy(base + "/api/v1/pods", ca, headers);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &bytes);
    auto t0 = clock_type::now();
    auto rc = curl_easy_perform(h);
    whole_ms.push_back(std::chrono::duration<double, std::milli>(clock_type::now() - t0).count());
    curl_easy_cleanup(h);
    if (rc != CURLE_OK) {
      std::fprintf(stderr, "list failed: %s\n", curl_easy_strerror(rc));
      return 1;
    }
    whole_bytes = bytes;
  }
  // LIST, paged with limit=500 over one keep-alive connection (as client-go's pager does).
  size_t pages = 0;
  for (uint32_t r = 0; r < o.runs; ++r) {
    CURL* h = make_easy(base, ca, headers);
    std::string body;
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
    std::string token;
    pages = 0;
    auto t0 = clock_type::now();
    do {
      body.clear();
      auto url = base + "/api/v1/pods?limit=500" + (token.empty() ? "" : "&continue=" + token);
      curl_easy_setopt(h, CURLOPT_URL, url.c_str());
      if (curl_easy_perform(h) != CURLE_OK)
        return 1;
      token = continue_of(body);
      ++pages;
    } while (!token.empty());
    paged_ms.push_back(std::chrono::duration<double, std::milli>(clock_type::now() - t0).count());
    curl_easy_cleanup(h);
  }

  // Concurrent watches: open W, then one change must reach every one of them.
  CURLM* multi = curl_multi_init();
  std::vector<CURL*> easies;
  std::vector<std::string> bodies(o.watches);
  for (uint32_t i = 0; i < o.watches; ++i) {
    CURL* h = make_easy(base + "/api/v1/namespaces/default/configmaps?watch=true&resourceVersion="
                            + std::to_string(c.data().resource_version()),
                        ca, headers);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &bodies[i]);
    curl_multi_add_handle(multi, h);
    easies.push_back(h);
  }
  auto deadline = clock_type::now() + std::chrono::seconds{120};
  int running = 0;
  while (c.server().open_watches() < o.watches && clock_type::now() < deadline) {
    curl_multi_perform(multi, &running);
    curl_multi_poll(multi, nullptr, 0, 50, nullptr);
  }
  size_t held = c.server().open_watches();
  const auto* cm = ambient::sim::find_resource("", "v1", "configmaps");
  auto t0 = clock_type::now();
  c.data().create(*cm, "default",
                  *ambient::sim::parse_json(
                      R"({"metadata":{"name":"bench-probe"},"data":{"k":"v"}})", nullptr));
  size_t delivered = 0;
  while (delivered < held && clock_type::now() < deadline) {
    curl_multi_perform(multi, &running);
    curl_multi_poll(multi, nullptr, 0, 20, nullptr);
    delivered = static_cast<size_t>(std::count_if(bodies.begin(), bodies.end(), [](auto& b) {
      return b.find("bench-probe") != std::string::npos;
    }));
  }
  double fanout_ms = std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
  for (auto* h : easies) {
    curl_multi_remove_handle(multi, h);
    curl_easy_cleanup(h);
  }
  curl_multi_cleanup(multi);
  curl_slist_free_all(headers);
  fleet.stop();

  std::printf("| figure | value |\n|---|---|\n");
  std::printf("| pods in the cluster | %u |\n", o.pods);
  std::printf("| seeding time (in-process, s) | %.1f |\n", seed_s);
  std::printf("| LIST all pods, one response: p50 / max over %u runs (ms) | %.0f / %.0f |\n",
              o.runs, percentile(whole_ms, 0.5), percentile(whole_ms, 1.0));
  std::printf("| LIST all pods, one response: size (MB) | %.1f |\n",
              static_cast<double>(whole_bytes) / 1e6);
  std::printf("| LIST all pods, %zu pages of 500: p50 / max (ms) | %.0f / %.0f |\n", pages,
              percentile(paged_ms, 0.5), percentile(paged_ms, 1.0));
  std::printf("| concurrent watches requested / held | %u / %zu |\n", o.watches, held);
  std::printf("| one change delivered to every held watch | %zu of %zu in %.0f ms |\n", delivered,
              held, fanout_ms);
  return delivered == held && held == o.watches ? 0 : 1;
}

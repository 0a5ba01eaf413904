// What actor telemetry costs per message: the same actor, as a plain stateful_actor and as an
// instrumented_actor (counted, timed, mailbox sampled), takes a flood of messages from another
// thread; the bench reports ns per message for each and the difference, median of the rounds.
// Usage: telemetry_bench [--messages N] [--rounds R]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <future>
#include <string>
#include <vector>

#include <caf/all.hpp>

#include "actors/instrumented.hpp"
#include "messages/registration.hpp"

namespace {

struct counter_state {
  static inline const char* name = "bench_counter";
  uint64_t seen = 0;
};

/// Counts messages; fulfils `done` when the last one arrives.
template <class Self>
caf::behavior counting(Self* self, uint64_t total, std::shared_ptr<std::promise<void>> done) {
  return {[=](uint64_t) {
    if (++self->state.seen == total)
      done->set_value();
  }};
}

caf::behavior plain_impl(caf::stateful_actor<counter_state>* self, uint64_t total,
                         std::shared_ptr<std::promise<void>> done) {
  return counting(self, total, std::move(done));
}

caf::behavior instrumented_impl(ambient::actors::instrumented_actor<counter_state>* self,
                                uint64_t total, std::shared_ptr<std::promise<void>> done) {
  return counting(self, total, std::move(done));
}

template <class Impl>
double ns_per_message(caf::actor_system& sys, Impl impl, uint64_t n) {
  auto done = std::make_shared<std::promise<void>>();
  auto finished = done->get_future();
  auto a = sys.spawn(impl, n, done);
  auto start = std::chrono::steady_clock::now();
  for (uint64_t i = 0; i < n; ++i)
    caf::anon_send(a, i);
  finished.wait();
  auto took = std::chrono::steady_clock::now() - start;
  caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  return std::chrono::duration<double, std::nano>(took).count() / static_cast<double>(n);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

} // namespace

int main(int argc, char** argv) {
  uint64_t messages = 2'000'000;
  int rounds = 7;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--messages") == 0)
      messages = std::stoull(argv[i + 1]);
    else if (std::strcmp(argv[i], "--rounds") == 0)
      rounds = std::stoi(argv[i + 1]);
  }
  caf::actor_system_config cfg;
  ambient::messages::register_types(cfg);
  caf::actor_system sys{cfg};
  std::vector<double> plain, instrumented;
  for (int r = 0; r < rounds; ++r) { // alternate, so drift hits both alike
    plain.push_back(ns_per_message(sys, plain_impl, messages));
    instrumented.push_back(ns_per_message(sys, instrumented_impl, messages));
  }
  auto p = median(plain);
  auto i = median(instrumented);
  std::printf("| figure | value |\n|---|---|\n");
  std::printf("| messages per round / rounds | %llu / %d |\n",
              static_cast<unsigned long long>(messages), rounds);
  std::printf("| plain stateful_actor, ns per message (median) | %.1f |\n", p);
  std::printf("| instrumented_actor, ns per message (median) | %.1f |\n", i);
  std::printf("| telemetry cost, ns per message | %.1f |\n", i - p);
  std::printf("| instrumented / plain | %.2f |\n", i / p);
  return 0;
}

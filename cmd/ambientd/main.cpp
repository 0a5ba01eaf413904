// ambientd: start-up only. Flags, logging, the actor system, and an orderly stop on SIGINT/SIGTERM.

#include <csignal>
#include <cstdio>
#include <iostream>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scheduler/abstract_coordinator.hpp>

#include "cmd/ambientd/options.hpp"
#include "messages/registration.hpp"
#include "telemetry/log.hpp"

namespace {

/// Blocks SIGINT and SIGTERM in every thread (call before any thread starts) and waits for one.
class signal_waiter {
public:
  signal_waiter() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
  }
  int wait() {
    int sig = 0;
    sigwait(&set_, &sig);
    return sig;
  }

private:
  sigset_t set_{};
};

} // namespace

int main(int argc, char** argv) {
  using namespace ambient;
  auto parsed = cmd::parse_ambientd_flags(argc, argv);
  switch (parsed.result.outcome) {
    case cmd::parse_outcome::help:
      std::cout << parsed.usage;
      return 0;
    case cmd::parse_outcome::version:
      std::cout << parsed.version << '\n';
      return 0;
    case cmd::parse_outcome::error:
      std::cerr << "ambientd: " << parsed.result.message << '\n';
      return 2;
    case cmd::parse_outcome::run:
      break;
  }
  telemetry::configure_logging(parsed.log);
  auto log = telemetry::make_logger("ambientd");
  signal_waiter signals;

  caf::actor_system_config cfg;
  messages::register_types(cfg);
  caf::actor_system system{cfg};
  log->info("started: cluster_id={} system_namespace={} scheduler_threads={}",
            parsed.options.cluster_id, parsed.options.system_namespace,
            system.scheduler().num_workers());
  auto sig = signals.wait();
  log->info("received {}, shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");
  return 0;
}

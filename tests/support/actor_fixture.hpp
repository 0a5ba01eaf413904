#pragma once

#include <chrono>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "messages/registration.hpp"

namespace ambient::test {

/// A deterministic actor system: nothing runs until the test calls sched.run() / run_once(), and
/// time advances only through sched.advance_time().
struct actor_fixture {
  struct config : caf::actor_system_config {
    config() {
      messages::register_types(*this);
      set("scheduler.policy", caf::atom("testing"));
      set("logger.file-verbosity", caf::atom("quiet"));
      set("logger.console", caf::atom("none"));
    }
  };

  config cfg;
  caf::actor_system sys{cfg};
  caf::scheduler::test_coordinator& sched
      = dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler());
};

/// A real, multi-threaded actor system for integration tests.
struct live_actor_fixture {
  struct config : caf::actor_system_config {
    config() {
      messages::register_types(*this);
      set("logger.file-verbosity", caf::atom("quiet"));
    }
  };

  config cfg;
  caf::actor_system sys{cfg};

  /// Ends `victim` with `reason` and waits until it is gone; false if it was still there after
  /// `timeout`. To make an actor crash, end it with unhandled_exception, as an exception would:
  /// CAF's `kill` cannot be trapped and would take a linked parent down with it.
  bool end_and_wait(const caf::actor& victim, caf::exit_reason reason,
                    caf::timespan timeout = std::chrono::seconds{5}) {
    caf::scoped_actor probe{sys};
    probe->monitor(victim);
    caf::anon_send_exit(victim, reason);
    bool down = false;
    probe->receive([&](const caf::down_msg&) { down = true; }, caf::after(timeout) >> [] {});
    return down;
  }
};

} // namespace ambient::test

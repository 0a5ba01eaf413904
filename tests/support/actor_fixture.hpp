#pragma once

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>
#include <caf/scheduler/test_coordinator.hpp>

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
};

} // namespace ambient::test

#pragma once

#include <memory>
#include <string_view>

#include <caf/actor_config.hpp>
#include <caf/invoke_message_result.hpp>
#include <caf/local_actor.hpp>
#include <caf/mailbox_element.hpp>
#include <caf/stateful_actor.hpp>

#include "telemetry/actor_directory.hpp"

namespace ambient::actors {

/// A stateful actor that reports its own telemetry to the process's actor directory: it is
/// listed (with its parent) while it lives, and every message it handles is counted, timed and
/// samples its mailbox depth. Function-based actors opt in by taking `instrumented_actor<S>*` as
/// their self pointer; State::name is the `actor` label.
template <class State>
class instrumented_actor : public caf::stateful_actor<State> {
public:
  using super = caf::stateful_actor<State>;

  explicit instrumented_actor(caf::actor_config& cfg)
    : super(cfg), probe_(telemetry::default_actor_directory().enroll(
                      this->id(), cfg.parent != nullptr ? cfg.parent->id() : 0, State::name)) {
    // Runs when the actor terminates, whatever the reason (the object itself may live longer).
    this->attach_functor([id = this->id()] { telemetry::default_actor_directory().retire(id); });
  }

  caf::invoke_message_result consume(caf::mailbox_element& x) override {
    probe_->begin(this->mailbox().queue().total_task_size());
    auto result = super::consume(x);
    probe_->end();
    return result;
  }

  /// Puts the actor's metrics under a cluster (remote_cluster and informer call this first).
  void set_telemetry_cluster(std::string_view cluster) {
    probe_->set_cluster(cluster);
  }

private:
  std::shared_ptr<telemetry::actor_probe> probe_;
};

} // namespace ambient::actors

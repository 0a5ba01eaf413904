#pragma once

#include <chrono>
#include <future>
#include <memory>
#include <optional>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>

namespace ambient::actors {

/// Asks `target` (a request of `xs...`) for a T from a thread outside the actor system, such as
/// the admin server's, and waits for the answer. No scoped_actor (a heavyweight blocking actor):
/// a short-lived event-based actor makes the request and hands the answer over through a
/// promise. nullopt when the target is gone, answers an error or does not answer in `timeout`.
/// Never call it from inside an actor.
template <class T, class... Ts>
std::optional<T> ask(caf::actor_system& system, const caf::actor& target,
                     std::chrono::milliseconds timeout, Ts... xs) {
  if (!target)
    return std::nullopt;
  auto answer = std::make_shared<std::promise<std::optional<T>>>();
  auto future = answer->get_future();
  system.spawn([=](caf::event_based_actor* self) {
    self->request(target, timeout, xs...)
        .then([answer](const T& x) { answer->set_value(x); },
              [answer](const caf::error&) { answer->set_value(std::nullopt); });
  });
  // The request times out by itself; the extra second only guards against a stopped system.
  if (future.wait_for(timeout + std::chrono::seconds{1}) != std::future_status::ready)
    return std::nullopt;
  return future.get();
}

} // namespace ambient::actors

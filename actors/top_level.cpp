#include "actors/top_level.hpp"

#include <caf/abstract_actor.hpp>
#include <caf/error.hpp>
#include <caf/exit_reason.hpp>

namespace ambient::actors {

top_level_watch::top_level_watch(handler on_death) : shared_(std::make_shared<shared>()) {
  shared_->on_death = std::move(on_death);
}

void top_level_watch::watch(std::string name, const caf::actor& actor) {
  if (!actor)
    return;
  // The functor may run after this object is gone (an actor that ends during main's shutdown),
  // so it holds the shared part.
  actor->attach_functor([s = shared_, name = std::move(name)](const caf::error& reason) {
    if (s->stopping.load())
      return;
    s->on_death({name, reason ? caf::to_string(reason) : std::string{"normal exit"}});
  });
}

void top_level_watch::stopping() {
  shared_->stopping.store(true);
}

} // namespace ambient::actors

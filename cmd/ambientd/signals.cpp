#include "cmd/ambientd/signals.hpp"

#include <unistd.h>

#include "telemetry/log.hpp"

namespace ambient::cmd {

actors::top_level_watch::handler signal_first_death(std::shared_ptr<death_record> record) {
  return [record](const actors::top_level_death& d) {
    {
      std::lock_guard g{record->m};
      if (record->first)
        return; // the first death is the one to report
      record->first = d;
    }
    kill(getpid(), actor_died_signal); // wakes main's wait
  };
}

int exit_code_for(int sig, death_record& death) {
  auto log = telemetry::make_logger("ambientd");
  std::lock_guard g{death.m};
  if (sig == actor_died_signal && death.first) {
    log->critical("{} stopped unexpectedly ({}); it has no supervisor that could rebuild it in "
                  "place, so ambientd exits with code 3 to be restarted",
                  death.first->actor, death.first->reason);
    return 3;
  }
  log->info("received {}, shutting down", sig == SIGTERM  ? "SIGTERM"
                                          : sig == SIGINT ? "SIGINT"
                                                          : "SIGUSR1");
  return 0;
}

} // namespace ambient::cmd

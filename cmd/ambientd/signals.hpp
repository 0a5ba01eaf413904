#pragma once

#include <pthread.h>

#include <chrono>
#include <csignal>
#include <ctime>
#include <memory>
#include <mutex>
#include <optional>

#include "actors/top_level.hpp"

namespace ambient::cmd {

/// The signal the process sends itself when a top-level actor dies: it wakes main's wait.
constexpr int actor_died_signal = SIGUSR1;

/// Blocks SIGINT, SIGTERM and actor_died_signal in every thread (construct before any thread
/// starts) and waits for one.
class signal_waiter {
public:
  signal_waiter() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    sigaddset(&set_, actor_died_signal);
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
  }

  /// The next signal.
  int wait() {
    int sig = 0;
    sigwait(&set_, &sig);
    return sig;
  }

  /// The signal that arrived within `timeout`, or nullopt.
  std::optional<int> wait_for(std::chrono::milliseconds timeout) {
    auto secs = std::chrono::duration_cast<std::chrono::seconds>(timeout);
    timespec ts{static_cast<time_t>(secs.count()),
                static_cast<long>(std::chrono::nanoseconds{timeout - secs}.count())};
    int sig = sigtimedwait(&set_, nullptr, &ts);
    if (sig < 0)
      return std::nullopt;
    return sig;
  }

private:
  sigset_t set_{};
};

/// The first top-level actor that died. Shared with the watch's callback, which runs on a dying
/// actor's thread and may outlive main's locals.
struct death_record {
  std::mutex m;
  std::optional<actors::top_level_death> first;
};

/// The top-level watch's handler: records the first death and wakes main's wait with
/// actor_died_signal.
actors::top_level_watch::handler signal_first_death(std::shared_ptr<death_record> record);

/// The exit code for the signal that ended the wait, logged: 3 when a top-level actor died
/// (nothing in the process can repair that), else 0 (SIGINT, SIGTERM, or SIGUSR1 from outside).
int exit_code_for(int sig, death_record& death);

} // namespace ambient::cmd

#pragma once

#include <chrono>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include <sys/types.h>

namespace ambient::test {

/// A child process (e.g. the ambientd binary) whose stdout and stderr go to a log file; stopped
/// with SIGTERM (then SIGKILL) when destroyed.
class child_process {
public:
  child_process(const std::vector<std::string>& argv, std::string log_path);
  ~child_process();
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  /// Whether the process still runs.
  bool running();

  /// Sends SIGTERM and waits up to `grace` (then SIGKILL: a generous default, since a sanitized
  /// process on a loaded machine can take seconds to shut down); returns the exit status (128 +
  /// signal when killed by one), or -1 if it was already reaped.
  int stop(std::chrono::milliseconds grace = std::chrono::seconds{30});

  /// The process ID (-1 once reaped), for tests that signal it themselves (SIGKILL).
  pid_t pid() const {
    return pid_;
  }

  /// Everything the process wrote so far.
  std::string log() const;

  /// Waits until the log has a line matching `re`; returns the line's first capture group (or
  /// the whole match without one), or nullopt after `timeout` or when the process exits first.
  std::optional<std::string> wait_log(const std::regex& re, std::chrono::milliseconds timeout);

  /// How many log lines match `re`.
  size_t count_log(const std::regex& re) const;

private:
  pid_t pid_ = -1;
  std::string log_path_;
};

} // namespace ambient::test

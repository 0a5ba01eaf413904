#pragma once

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace ambient::bench {

/// A child process running this binary with --client, talking over its stdin/stdout.
struct client_process {
  pid_t pid = -1;
  FILE* to = nullptr;
  FILE* from = nullptr;

  /// Starts `self --client args...`.
  client_process(const std::string& self, const std::vector<std::string>& args) {
    int in_pipe[2], out_pipe[2];
    if (pipe(in_pipe) != 0 || pipe(out_pipe) != 0)
      throw std::runtime_error("pipe");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in_pipe[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 1);
    posix_spawn_file_actions_addclose(&fa, in_pipe[1]);
    posix_spawn_file_actions_addclose(&fa, out_pipe[0]);
    std::vector<std::string> all{self, "--client"};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid, self.c_str(), &fa, nullptr, argv.data(), environ) != 0)
      throw std::runtime_error("cannot start the client process");
    posix_spawn_file_actions_destroy(&fa);
    close(in_pipe[0]);
    close(out_pipe[1]);
    to = fdopen(in_pipe[1], "w");
    from = fdopen(out_pipe[0], "r");
  }

  ~client_process() {
    if (to)
      fclose(to);
    if (from)
      fclose(from);
    if (pid > 0)
      waitpid(pid, nullptr, 0);
  }

  /// The next line it printed (without the newline); throws once it has ended.
  std::string line() {
    char buf[512];
    if (!fgets(buf, sizeof buf, from))
      throw std::runtime_error("the client process ended");
    std::string s{buf};
    if (!s.empty() && s.back() == '\n')
      s.pop_back();
    return s;
  }

  /// Writes one line to it.
  void say(const std::string& s) {
    fputs((s + "\n").c_str(), to);
    fflush(to);
  }
};

/// The p-quantile of `v` (nearest rank); 0 when empty.
inline double percentile(std::vector<double> v, double p) {
  if (v.empty())
    return 0;
  std::sort(v.begin(), v.end());
  auto idx = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(idx, v.size() - 1)];
}

} // namespace ambient::bench

#include "support/child_process.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace ambient::test {

child_process::child_process(const std::vector<std::string>& argv, std::string log_path)
  : log_path_(std::move(log_path)) {
  int fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    throw std::runtime_error("cannot create " + log_path_);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, fd, STDERR_FILENO);
  // Nothing else of ours leaks into the child: an inherited listening socket of an in-process
  // kube-sim cluster would keep its port listening (never accepting) after the cluster goes down.
  posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1);
  std::vector<char*> args;
  for (const auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  // The ThreadSanitizer lane runs test processes (gRPC's own clients, no ambientd code) under a
  // wider suppression list than ambientd itself: a child gets AMBIENT_CHILD_TSAN_OPTIONS as its
  // TSAN_OPTIONS when the test's environment sets it (tests/CMakeLists.txt).
  std::vector<std::string> env_text;
  const char* child_tsan = std::getenv("AMBIENT_CHILD_TSAN_OPTIONS");
  for (char** e = environ; *e != nullptr; ++e)
    if (child_tsan == nullptr || std::strncmp(*e, "TSAN_OPTIONS=", 13) != 0)
      env_text.emplace_back(*e);
  if (child_tsan != nullptr)
    env_text.push_back(std::string{"TSAN_OPTIONS="} + child_tsan);
  std::vector<char*> env;
  for (auto& e : env_text)
    env.push_back(e.data());
  env.push_back(nullptr);
  int rc = posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(fd);
  if (rc != 0)
    throw std::runtime_error("cannot start " + argv.at(0));
}

child_process::~child_process() {
  stop();
}

bool child_process::running() {
  if (pid_ < 0)
    return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

int child_process::stop(std::chrono::milliseconds grace) {
  if (pid_ < 0)
    return -1;
  ::kill(pid_, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + grace;
  int status = 0;
  while (::waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string child_process::log() const {
  std::ifstream in{log_path_};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::optional<std::string> child_process::wait_log(const std::regex& re,
                                                   std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    std::istringstream lines{log()};
    std::string line;
    std::smatch m;
    while (std::getline(lines, line))
      if (std::regex_search(line, m, re))
        return m.size() > 1 ? m[1].str() : m[0].str();
    if (!running() || std::chrono::steady_clock::now() > deadline)
      return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
  }
}

size_t child_process::count_log(const std::regex& re) const {
  std::istringstream lines{log()};
  std::string line;
  size_t n = 0;
  while (std::getline(lines, line))
    if (std::regex_search(line, re))
      ++n;
  return n;
}

} // namespace ambient::test

#pragma once

#include <string>

namespace ambient::test {

/// What a plain-HTTP GET returned.
struct http_result {
  int status = 0; ///< 0 when the request failed below HTTP
  std::string body;
  std::string content_type;
  std::string error; ///< curl's error text when status is 0
};

/// A blocking HTTP GET (libcurl, 10 s timeout) for tests that read ambientd's admin ports.
http_result http_get(const std::string& url);

/// What a shell command printed (stdout and stderr together) and its exit code.
struct command_result {
  int exit_code = -1; ///< -1 when it did not exit normally
  std::string output;
};

/// Runs `command` with /bin/sh, stdin from `input_file` when not empty.
command_result run_command(const std::string& command, const std::string& input_file = {});

} // namespace ambient::test

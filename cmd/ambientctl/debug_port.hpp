#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "cmd/ambientctl/tables.hpp"

namespace ambient::cmd {

/// Whether `address` is a bare HOST:PORT that cannot smuggle a path, query or credentials into
/// the URL.
bool is_host_port(std::string_view address);

/// A body as shown in an error message: its first line, printable, at most 200 characters.
std::string excerpt(std::string_view body);

/// GETs `path` from ambientd's debug port at `address` into `body`; on failure says why on stderr
/// and returns the exit code to stop with (2: `address` is not HOST:PORT, 1: the request failed).
std::optional<int> fetch(const std::string& address, const std::string& path, std::string& body);

/// Prints `table` on stdout and returns 0, or refuses the body of `path` it was made from
/// (stderr, 1).
int print_result(const table_result& table, const std::string& address, const std::string& path);

/// Fetches `path` and prints the table `render` makes of it.
template <class Render>
int print_table(const std::string& address, const std::string& path, Render render) {
  std::string body;
  if (auto stop = fetch(address, path, body))
    return *stop;
  return print_result(render(body), address, path);
}

} // namespace ambient::cmd

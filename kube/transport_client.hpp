#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>

#include "kube/transport.hpp"

/// Internal to the transport: what it keeps of one client (one cluster).
namespace ambient::kube {

/// A token bucket: `qps` tokens a second, at most `burst` saved up.
struct token_bucket {
  double qps;
  double burst;
  double tokens;
  std::chrono::steady_clock::time_point last;
  /// Takes a token if one has accrued by `now`; false when the request must wait.
  bool take(std::chrono::steady_clock::time_point now) {
    tokens = std::min(burst, tokens + std::chrono::duration<double>(now - last).count() * qps);
    last = now;
    if (tokens < 1.0)
      return false;
    tokens -= 1.0;
    return true;
  }
  /// How long until the next token accrues (at least 1 ms).
  std::chrono::milliseconds wait_time() const {
    return std::chrono::milliseconds{static_cast<int64_t>((1.0 - tokens) / qps * 1000.0) + 1};
  }
};

/// One client of the transport: its settings and limits, its rate limiter and its current
/// bearer token (re-read from a token file when due).
struct client_state {
  connection_settings settings;
  client_limits limits;
  token_bucket bucket;
  std::string auth_header;
  std::string host_port;                            ///< host:port of the server URL, for CONNECT_TO
  std::chrono::steady_clock::time_point token_read; ///< when token_file was last read

  /// Uses `token` (empty: none) in the Authorization header from now on.
  void set_token(std::string token) {
    settings.token = std::move(token);
    auth_header = settings.token.empty() ? "" : "Authorization: Bearer " + settings.token;
  }
  /// Re-reads the token file when it is due; a file that cannot be read keeps the last token.
  void refresh_token(std::chrono::steady_clock::time_point now, bool force = false) {
    if (settings.token_file.empty() || (!force && now - token_read < limits.token_file_refresh))
      return;
    token_read = now;
    if (auto t = read_file(settings.token_file)) {
      while (!t->empty() && (t->back() == '\n' || t->back() == '\r' || t->back() == ' '))
        t->pop_back();
      set_token(std::move(*t));
    }
  }
};

/// The host:port of a server URL, for CONNECT_TO ("https://h:443/x" gives "h:443").
std::string host_port_of(const std::string& url);

} // namespace ambient::kube

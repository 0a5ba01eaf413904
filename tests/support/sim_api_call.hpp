#pragma once

#include <string>
#include <variant>

#include <catch2/catch.hpp>

#include "sim/api_handler.hpp"

/// kube-sim's request handler called directly, without a socket, for the sim unit tests.
namespace ambient::test {

/// Handles `method target` with `body` on store `s`; REQUIREs an ordinary (non-watch) response.
inline sim::api_response call(sim::store& s, const std::string& method, const std::string& target,
                              const std::string& body = {},
                              const std::string& ct = "application/json") {
  auto out = sim::handle_api_request(s, {method, target, ct, body}, "127.0.0.1:6443");
  REQUIRE(std::holds_alternative<sim::api_response>(out));
  return std::get<sim::api_response>(out);
}

} // namespace ambient::test

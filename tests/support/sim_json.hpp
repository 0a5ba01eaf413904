#pragma once

#include <catch2/catch.hpp>

#include <string>

#include "sim/json.hpp"

namespace ambient::test {

/// `text` parsed by kube-sim's JSON reader (REQUIREs that it parses).
inline sim::json json_doc(const std::string& text) {
  auto j = sim::parse_json(text, nullptr);
  REQUIRE(j);
  return *j;
}

} // namespace ambient::test

#include <catch2/catch.hpp>

#include "base/hex.hpp"

using namespace ambient::base;

TEST_CASE("hex encoding writes two lower-case digits a byte, high nibble first", "[base]") {
  CHECK(hex_encode("") == "");
  CHECK(hex_encode(std::string_view{"\x00\x0f\xf0\xff", 4}) == "000ff0ff");
  CHECK(hex_encode("Az") == "417a");
}

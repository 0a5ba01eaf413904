#include <catch2/catch.hpp>

#include "base/percent.hpp"

using namespace ambient::base;

TEST_CASE("percent-encoding keeps the unreserved characters and escapes every other byte",
          "[base]") {
  std::string out;
  percent_encode(out, "aZ09-._~ /?&=%+\xff");
  CHECK(out == "aZ09-._~%20%2F%3F%26%3D%25%2B%FF");
  CHECK(percent_decode(out, false) == "aZ09-._~ /?&=%+\xff");
}

TEST_CASE("percent-decoding refuses broken escapes and reads '+' as asked", "[base]") {
  CHECK(percent_decode("a%2fb%2F", false) == "a/b/");
  CHECK(percent_decode("a+b", true) == "a b");
  CHECK(percent_decode("a+b", false) == "a+b");
  for (const char* bad : {"%", "%4", "a%zz", "%g0", "x%4"})
    CHECK_FALSE(percent_decode(bad, false));
}

#include <catch2/catch.hpp>

#include <limits>

#include "base/json_writer.hpp"

using namespace ambient::base;

TEST_CASE("JSON escaping keeps UTF-8 and escapes quotes, backslashes and control characters",
          "[base]") {
  CHECK(json_escape("plain ünïcode") == "plain ünïcode");
  CHECK(json_escape("a\"b\\c") == "a\\\"b\\\\c");
  CHECK(json_escape("l1\nl2\r\t") == "l1\\nl2\\r\\t");
  CHECK(json_escape(std::string_view{"\x01\x1f\0", 3}) == "\\u0001\\u001f\\u0000");
  CHECK(json_string("x\"") == "\"x\\\"\"");
}

TEST_CASE("the JSON writer places commas and colons in nested objects and arrays", "[base]") {
  json_writer w;
  w.begin_object()
      .member("name", "a\"b")
      .member("ok", true)
      .member("n", int64_t{-3})
      .member("u", uint64_t{18446744073709551615u});
  w.key("list").begin_array().value(1).value("two").begin_object().end_object();
  w.begin_array().end_array().end_array();
  w.key("empty").begin_object().end_object();
  w.end_object();
  CHECK(w.str()
        == R"({"name":"a\"b","ok":true,"n":-3,"u":18446744073709551615,)"
           R"("list":[1,"two",{},[]],"empty":{}})");
}

TEST_CASE("the JSON writer writes numbers that read back and null for what JSON cannot hold",
          "[base]") {
  json_writer w;
  w.begin_array()
      .value(0.1)
      .value(2.5e-7)
      .value(std::numeric_limits<double>::quiet_NaN())
      .value(std::numeric_limits<double>::infinity())
      .end_array();
  CHECK(w.take() == "[0.1,2.5e-07,null,null]");
}

TEST_CASE("a JSON writer with a single top-level value writes just that value", "[base]") {
  json_writer w;
  w.value("only");
  CHECK(w.str() == "\"only\"");
}

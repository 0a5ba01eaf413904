#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "sim/json.hpp"
#include "sim/json_patch.hpp"

using namespace ambient::sim;

namespace {

json_value parse(std::string_view text) {
  std::string error;
  auto v = parse_json(text, &error);
  INFO(error);
  REQUIRE(v.has_value());
  return std::move(*v);
}

std::string parse_error(std::string_view text) {
  std::string error;
  auto v = parse_json(text, &error);
  CHECK_FALSE(v.has_value());
  return error;
}

/// Applies a JSON merge patch to JSON text and returns the compact result.
std::string merge(std::string_view target, std::string_view patch) {
  auto t = parse(target);
  apply_merge_patch(t, parse(patch));
  return t.dump();
}

/// Applies a strategic merge patch to JSON text and returns the compact result.
std::string strategic(std::string_view target, std::string_view patch) {
  auto t = parse(target);
  auto err = apply_strategic_merge_patch(t, parse(patch));
  INFO(err.value_or(""));
  REQUIRE_FALSE(err.has_value());
  return t.dump();
}

} // namespace

TEST_CASE("a parsed document dumps back to the same compact text", "[sim]") {
  const std::string text
      = R"({"kind":"Pod","metadata":{"name":"web-1","labels":{"app":"web"}},"spec":{"containers":[)"
        R"({"name":"app","ports":[{"containerPort":8080}],"args":["-v",true,false,null]}]}})";
  CHECK(parse(text).dump() == text);
  CHECK(parse(" \n\t{ \"a\" : [ 1 , 2 ] }\r\n").dump() == R"({"a":[1,2]})");
  CHECK(parse("[]").dump() == "[]");
  CHECK(parse("{}").dump() == "{}");
  CHECK(parse("\"top\"").dump() == "\"top\"");
  CHECK(parse("null").is_null());
  CHECK(parse(" true ").as_bool());
}

TEST_CASE("strings are unescaped on parse and escaped on dump", "[sim]") {
  auto v
      = parse(R"(["q\"b\\s\/n\nr\rt\tb\bf\f", "\u0001\u001f", "caf\u00e9 \ud83d\ude00", "日本"])");
  const auto& e = v.elements();
  REQUIRE(e.size() == 4);
  CHECK(e[0].as_string() == "q\"b\\s/n\nr\rt\tb\bf\f");
  CHECK(e[1].as_string() == std::string{"\x01\x1f"});
  CHECK(e[2].as_string() == "caf\xc3\xa9 \xf0\x9f\x98\x80");
  CHECK(e[3].as_string() == "日本");
  CHECK(v.dump() == R"(["q\"b\\s/n\nr\rt\tb\bf\f","\u0001\u001f","café 😀","日本"])");
  std::string out;
  append_json_escaped(out, std::string_view{"a\0b\x7f", 4});
  CHECK(out == "a\\u0000b\x7f");
  CHECK(json_value::string("tab\there").dump() == R"("tab\there")");
}

TEST_CASE("numbers keep their text and integers convert", "[sim]") {
  auto v = parse(R"([0, -7, 1.5e3, 2.50, 9223372036854775807, 123456789012345678901234567890, 2.0,
                     -0, 1E+2, 1e400])");
  const auto& e = v.elements();
  REQUIRE(e.size() == 10);
  CHECK(e[0].as_int() == 0);
  CHECK(e[1].as_int() == -7);
  CHECK(e[2].number_text() == "1.5e3");
  CHECK(e[2].as_int() == 1500);
  CHECK(e[3].number_text() == "2.50");
  CHECK_FALSE(e[3].as_int());
  CHECK(e[4].as_int() == INT64_MAX);
  CHECK(e[5].number_text() == "123456789012345678901234567890");
  CHECK_FALSE(e[5].as_int());
  CHECK(e[6].as_int() == 2);
  CHECK(e[7].number_text() == "-0");
  CHECK(e[8].as_int() == 100);
  CHECK_FALSE(e[9].as_int());
  CHECK(
      v.dump()
      == "[0,-7,1.5e3,2.50,9223372036854775807,123456789012345678901234567890,2.0,-0,1E+2,1e400]");
  CHECK(json_value::number(-42).dump() == "-42");
  CHECK(json_value::raw_number("1.25").number_text() == "1.25");
  CHECK_FALSE(json_value::string("1").as_int());
  CHECK(is_json_number("-0.5E-3"));
  CHECK_FALSE(is_json_number("01"));
  CHECK_FALSE(is_json_number("1."));
  CHECK_FALSE(is_json_number("+1"));
  CHECK_FALSE(is_json_number(""));
}

TEST_CASE("objects keep insertion order and unique keys", "[sim]") {
  json_value v;
  CHECK(v.is_null());
  v["b"] = json_value::number(1);
  v.set("a", json_value::string("x"));
  v["c"]["d"] = json_value::boolean(true);
  v.set("b", json_value::number(2));
  CHECK(v.is_object());
  CHECK(v.dump() == R"({"b":2,"a":"x","c":{"d":true}})");
  REQUIRE(v.find_path({"c", "d"}) != nullptr);
  CHECK(v.find_path({"c", "d"})->as_bool());
  CHECK(v.find_path({"c", "e"}) == nullptr);
  CHECK(v.find_path({"a", "x"}) == nullptr);
  CHECK(v.find("zzz") == nullptr);
  CHECK(v.erase("a"));
  CHECK_FALSE(v.erase("a"));
  CHECK(v.members().size() == 2);
  CHECK(json_value::string("s").find("a") == nullptr);

  json_value list;
  list.push_back(json_value::number(1));
  list.push_back(json_value::object());
  CHECK(list.is_array());
  CHECK(list.dump() == "[1,{}]");

  auto dup = parse(R"({"a":1,"b":2,"a":3})");
  CHECK(dup.dump() == R"({"a":3,"b":2})");
}

TEST_CASE("equality is deep, ignores member order and compares numbers by text", "[sim]") {
  CHECK(parse(R"({"a":{"x":[1,"2",null]},"b":true})")
        == parse(R"({"b":true,"a":{"x":[1,"2",null]}})"));
  CHECK(parse(R"({"a":[1,2]})") != parse(R"({"a":[2,1]})"));
  CHECK(parse(R"({"a":1})") != parse(R"({"a":1,"b":null})"));
  CHECK(parse("1.0") != parse("1"));
  CHECK(parse("\"1\"") != parse("1"));
  CHECK(json_value{} == parse("null"));
  CHECK(json_value::object() != json_value::array());
}

TEST_CASE("malformed JSON is rejected with simdjson's message", "[sim]") {
  for (auto text : {"",
                    "   ",
                    "{",
                    "[1,2",
                    R"({"a":1)",
                    R"({"a":1,})",
                    "[1,]",
                    "[1 2]",
                    R"({"a" 1})",
                    "{1:2}",
                    "[01]",
                    "[1.]",
                    "[-]",
                    "[+1]",
                    "nul",
                    "[truex]",
                    "{} {}",
                    "[1]]",
                    "1 2",
                    "\"a\" x",
                    R"(["\x"])",
                    R"("unterminated)",
                    "\"tab\there\"",
                    "\"\xff\"",
                    "[NaN]"}) {
    INFO(text);
    auto error = parse_error(text);
    CHECK(error.starts_with("invalid JSON: "));
    CHECK(error.size() > 14);
  }
}

TEST_CASE("truncated documents are rejected at every cut", "[sim]") {
  const std::string text
      = R"({"metadata":{"name":"a","labels":{"k":"v"}},"spec":{"n":[1,2.5,"x"]}})";
  for (size_t n = 0; n < text.size(); ++n) {
    INFO(text.substr(0, n));
    CHECK_FALSE(parse_json(text.substr(0, n), nullptr).has_value());
  }
  CHECK(parse_json(text, nullptr).has_value());
}

TEST_CASE("deep nesting parses up to simdjson's limit", "[sim]") {
  auto nested = [](size_t depth) {
    return std::string(depth, '[') + std::string(depth, ']');
  };
  CHECK(parse(nested(1023)).dump() == nested(1023));
  std::string error;
  CHECK_FALSE(parse_json(nested(1024), &error).has_value());
  CHECK(error.find("too deep") != std::string::npos);
  CHECK_FALSE(parse_json(nested(100000), nullptr).has_value());
  std::string objects;
  for (int i = 0; i < 1024; ++i)
    objects += "{\"a\":";
  objects += "1" + std::string(1024, '}');
  CHECK_FALSE(parse_json(objects, nullptr).has_value());
  CHECK(parse_json(objects.substr(5), nullptr).has_value() == false); // unbalanced
  CHECK(parse_json(objects.substr(5, objects.size() - 6), nullptr).has_value());
}

TEST_CASE("big documents parse quickly", "[sim]") {
  std::string pod = R"({"kind":"Pod","metadata":{"name":"p","labels":{)";
  for (int i = 0; i < 60; ++i)
    pod += (i ? "," : "") + std::string{"\"label-"} + std::to_string(i) + "\":\"value-"
           + std::to_string(i) + "\"";
  pod += R"(}},"spec":{"containers":[{"name":"app","image":"nginx:1.25","args":["a","b"]}]}})";
  std::string big = "[";
  while (big.size() < (1 << 20)) {
    if (big.size() > 1)
      big += ',';
    big += pod;
  }
  big += ']';
  // Quadratic work on this would run into the ctest timeout; no wall-time bound is asserted.
  auto v = parse(big);
  CHECK(v.elements().size() > 100);
  CHECK(v.dump() == big);

  std::string wide = "{";
  for (int i = 0; i < 20000; ++i)
    wide += (i ? "," : "") + std::string{"\"k"} + std::to_string(i) + "\":" + std::to_string(i);
  wide += ",\"k7\":\"last\"}";
  auto w = parse(wide);
  CHECK(w.members().size() == 20000);
  CHECK(w.find("k7")->as_string() == "last");
  CHECK(w.find("k19999")->as_int() == 19999);
}

TEST_CASE("merge patch follows the RFC 7386 examples", "[sim]") {
  CHECK(merge(R"({"a":"b"})", R"({"a":"c"})") == R"({"a":"c"})");
  CHECK(merge(R"({"a":"b"})", R"({"b":"c"})") == R"({"a":"b","b":"c"})");
  CHECK(merge(R"({"a":"b"})", R"({"a":null})") == R"({})");
  CHECK(merge(R"({"a":"b","b":"c"})", R"({"a":null})") == R"({"b":"c"})");
  CHECK(merge(R"({"a":["b"]})", R"({"a":"c"})") == R"({"a":"c"})");
  CHECK(merge(R"({"a":"c"})", R"({"a":["b"]})") == R"({"a":["b"]})");
  CHECK(merge(R"({"a":{"b":"c"}})", R"({"a":{"b":"d","c":null}})") == R"({"a":{"b":"d"}})");
  CHECK(merge(R"({"a":[{"b":"c"}]})", R"({"a":[1]})") == R"({"a":[1]})");
  CHECK(merge(R"(["a","b"])", R"(["c","d"])") == R"(["c","d"])");
  CHECK(merge(R"({"a":"b"})", R"(["c"])") == R"(["c"])");
  CHECK(merge(R"({"a":"foo"})", "null") == "null");
  CHECK(merge(R"({"a":"foo"})", R"("bar")") == R"("bar")");
  CHECK(merge(R"({"e":null})", R"({"a":1})") == R"({"e":null,"a":1})");
  CHECK(merge(R"([1,2])", R"({"a":"b","c":null})") == R"({"a":"b"})");
  CHECK(merge(R"({})", R"({"a":{"bb":{"ccc":null}}})") == R"({"a":{"bb":{}}})");
}

TEST_CASE("strategic merge patch merges label maps and deletes with null", "[sim]") {
  CHECK(
      strategic(R"({"metadata":{"name":"p","labels":{"app":"web","tier":"fe"}}})",
                R"({"metadata":{"labels":{"tier":null,"env":"prod"},"annotations":{"a":"1"}}})")
      == R"({"metadata":{"name":"p","labels":{"app":"web","env":"prod"},"annotations":{"a":"1"}}})");
}

TEST_CASE("strategic merge patch merges containers by name", "[sim]") {
  auto target = R"({"spec":{"containers":[
      {"name":"app","image":"app:1","env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],
       "ports":[{"containerPort":80,"protocol":"TCP"}]},
      {"name":"sidecar","image":"proxy:1"}]}})";
  auto patch = R"({"spec":{
      "$setElementOrder/containers":[{"name":"app"},{"name":"sidecar"},{"name":"new"}],
      "containers":[
        {"name":"app","image":"app:2","env":[{"name":"B","value":"3"},{"name":"C","value":"4"}],
         "ports":[{"containerPort":80,"name":"http"},{"containerPort":443}]},
        {"name":"new","image":"new:1","$retainKeys":["image"]}]}})";
  CHECK(
      strategic(target, patch)
      == R"({"spec":{"containers":[)"
         R"({"name":"app","image":"app:2","env":[{"name":"A","value":"1"},{"name":"B","value":"3"},)"
         R"({"name":"C","value":"4"}],"ports":[{"containerPort":80,"protocol":"TCP","name":"http"},)"
         R"({"containerPort":443}]},{"name":"sidecar","image":"proxy:1"},)"
         R"({"name":"new","image":"new:1"}]}})");
}

TEST_CASE("strategic merge patch merges service ports by port", "[sim]") {
  CHECK(strategic(R"({"spec":{"ports":[{"port":80,"targetPort":8080},{"port":81}]}})",
                  R"({"spec":{"ports":[{"port":80,"targetPort":9090}]}})")
        == R"({"spec":{"ports":[{"port":80,"targetPort":9090},{"port":81}]}})");
}

TEST_CASE("strategic merge patch replaces lists without a merge key", "[sim]") {
  CHECK(strategic(R"({"spec":{"args":["a","b"],"tolerations":[{"key":"x"}]}})",
                  R"({"spec":{"args":["c"],"tolerations":[{"key":"y"}]}})")
        == R"({"spec":{"args":["c"],"tolerations":[{"key":"y"}]}})");
  CHECK(strategic(R"({"items":[{"name":"a","v":1}]})", R"({"items":[{"name":"a","w":2}]})")
        == R"({"items":[{"name":"a","v":1,"w":2}]})");
}

TEST_CASE("strategic merge patch honours $patch delete and replace", "[sim]") {
  auto target = R"({"spec":{"containers":[{"name":"a","image":"a"},{"name":"b","image":"b"}],)"
                R"("selector":{"x":"1","y":"2"}}})";
  CHECK(strategic(target, R"({"spec":{"containers":[{"name":"a","$patch":"delete"}]}})")
        == R"({"spec":{"containers":[{"name":"b","image":"b"}],"selector":{"x":"1","y":"2"}}})");
  CHECK(strategic(target, R"({"spec":{"selector":{"$patch":"replace","z":"3"}}})")
        == R"({"spec":{"containers":[{"name":"a","image":"a"},{"name":"b","image":"b"}],)"
           R"("selector":{"z":"3"}}})");
  CHECK(
      strategic(target, R"({"spec":{"containers":[{"name":"b","$patch":"replace","args":["x"]}]}})")
      == R"({"spec":{"containers":[{"name":"a","image":"a"},{"name":"b","args":["x"]}],)"
         R"("selector":{"x":"1","y":"2"}}})");
  CHECK(strategic(target, R"({"spec":{"containers":[{"$patch":"replace"},{"name":"c"}]}})")
        == R"({"spec":{"containers":[{"name":"c"}],"selector":{"x":"1","y":"2"}}})");
  CHECK(strategic(target, R"({"spec":{"selector":{"$patch":"delete"}}})")
        == R"({"spec":{"containers":[{"name":"a","image":"a"},{"name":"b","image":"b"}]}})");
}

TEST_CASE("strategic merge patch deletes listed primitives", "[sim]") {
  CHECK(strategic(R"({"metadata":{"finalizers":["a","b","c"]}})",
                  R"({"metadata":{"$deleteFromPrimitiveList/finalizers":["b","zz"]}})")
        == R"({"metadata":{"finalizers":["a","c"]}})");
}

TEST_CASE("strategic merge patch fills an empty target without directives", "[sim]") {
  CHECK(strategic("{}", R"({"spec":{"$setElementOrder/containers":[{"name":"a"}],)"
                        R"("containers":[{"name":"a","x":null}],"m":{"k":null,"v":1}}})")
        == R"({"spec":{"containers":[{"name":"a"}],"m":{"v":1}}})");
}

TEST_CASE("strategic merge patch rejects a patch that is not an object", "[sim]") {
  auto target = parse(R"({"a":1})");
  CHECK(apply_strategic_merge_patch(target, parse("[1]")).has_value());
  CHECK(apply_strategic_merge_patch(target, parse("null")).has_value());
  CHECK(apply_strategic_merge_patch(target, parse(R"({"b":{"$patch":"explode"}})")).has_value());
  CHECK(target.find("a") != nullptr);
}

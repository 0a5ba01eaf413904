#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "sim/json.hpp"
#include "sim/json_patch.hpp"

using namespace ambient::sim;

namespace {

json parse(std::string_view text) {
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
  t.merge_patch(parse(patch));
  return dump_json(t);
}

/// Applies a strategic merge patch to JSON text and returns the compact result.
std::string strategic(std::string_view target, std::string_view patch) {
  auto t = parse(target);
  auto err = apply_strategic_merge_patch(t, parse(patch));
  INFO(err.value_or(""));
  REQUIRE_FALSE(err.has_value());
  return dump_json(t);
}

} // namespace

TEST_CASE("a parsed document dumps back to the same compact text", "[sim]") {
  const std::string text
      = R"({"kind":"Pod","metadata":{"name":"web-1","labels":{"app":"web"}},"spec":{"containers":[)"
        R"({"name":"app","ports":[{"containerPort":8080}],"args":["-v",true,false,null]}]}})";
  CHECK(dump_json(parse(text)) == text);
  CHECK(dump_json(parse(" \n\t{ \"a\" : [ 1 , 2 ] }\r\n")) == R"({"a":[1,2]})");
  CHECK(dump_json(parse("[]")) == "[]");
  CHECK(dump_json(parse("{}")) == "{}");
  CHECK(dump_json(parse("\"top\"")) == "\"top\"");
  CHECK(parse("null").is_null());
  CHECK(parse(" true ").get<bool>());
}

TEST_CASE("strings are unescaped on parse and escaped on dump", "[sim]") {
  auto v
      = parse(R"(["q\"b\\s\/n\nr\rt\tb\bf\f", "\u0001\u001f", "caf\u00e9 \ud83d\ude00", "日本"])");
  REQUIRE(v.size() == 4);
  CHECK(v[0] == "q\"b\\s/n\nr\rt\tb\bf\f");
  CHECK(v[1] == std::string{"\x01\x1f"});
  CHECK(v[2] == "caf\xc3\xa9 \xf0\x9f\x98\x80");
  CHECK(v[3] == "日本");
  CHECK(dump_json(v) == R"(["q\"b\\s/n\nr\rt\tb\bf\f","\u0001\u001f","café 😀","日本"])");
  CHECK(dump_json(json(std::string_view{"a\0b\x7f", 4})) == "\"a\\u0000b\x7f\"");
  CHECK(dump_json(json("tab\there")) == R"("tab\there")");
}

TEST_CASE("a string that is not UTF-8 dumps with replacement characters", "[sim]") {
  // Protobuf bodies and URLs can carry any bytes; dumping them must not throw.
  CHECK(dump_json(json(std::string{"a\xff"
                                   "b"}))
        == "\"a\xef\xbf\xbd"
           "b\"");
  CHECK(dump_json(json{{"k", std::string{"\xc3"}}}) == "{\"k\":\"\xef\xbf\xbd\"}");
}

TEST_CASE("integers keep their value, other numbers are re-rendered", "[sim]") {
  auto v = parse(R"([0, -7, 1.5e3, 2.50, 9223372036854775807, 18446744073709551615,
                     123456789012345678901234567890, 2.0, -0, 1E+2, -0.5E-3])");
  REQUIRE(v.size() == 11);
  CHECK(v[0].get<int64_t>() == 0);
  CHECK(v[1].get<int64_t>() == -7);
  CHECK(v[2].is_number_float());
  CHECK(v[2].get<double>() == 1500.0);
  CHECK(v[3].get<double>() == 2.5);
  CHECK(v[4].get<int64_t>() == INT64_MAX);
  CHECK(v[5].get<uint64_t>() == UINT64_MAX);
  CHECK(v[6].is_number_float());
  CHECK(v[7].is_number_float());
  CHECK(v[8].is_number_integer());
  CHECK(v[9].get<double>() == 100.0);
  CHECK(v[10].get<double>() == -0.0005);
  CHECK(dump_json(v)
        == "[0,-7,1500.0,2.5,9223372036854775807,18446744073709551615,1.2345678901234568e+29,2.0,0,"
           "100.0,-0.0005]");
  CHECK(dump_json(json(-42)) == "-42");
  CHECK_FALSE(json("1").is_number());
}

TEST_CASE("objects keep insertion order and unique keys", "[sim]") {
  json v;
  CHECK(v.is_null());
  v["b"] = 1;
  v["a"] = "x";
  v["c"]["d"] = true;
  v["b"] = 2;
  CHECK(v.is_object());
  CHECK(dump_json(v) == R"({"b":2,"a":"x","c":{"d":true}})");
  REQUIRE(find_path(v, {"c", "d"}) != nullptr);
  CHECK(find_path(v, {"c", "d"})->get<bool>());
  CHECK(find_path(v, {"c", "e"}) == nullptr);
  CHECK(find_path(v, {"a", "x"}) == nullptr);
  CHECK(find_path(v, {"zzz"}) == nullptr);
  CHECK(find_path(v, {}) == &v);
  CHECK(v.erase("a") == 1);
  CHECK(v.erase("a") == 0);
  CHECK(v.size() == 2);
  CHECK(find_path(json("s"), {"a"}) == nullptr);
  find_path(v, {"c"})->erase("d");
  CHECK(dump_json(v) == R"({"b":2,"c":{}})");

  json list;
  list.push_back(1);
  list.push_back(json::object());
  CHECK(list.is_array());
  CHECK(dump_json(list) == "[1,{}]");

  auto dup = parse(R"({"a":1,"b":2,"a":3})");
  CHECK(dump_json(dup) == R"({"a":3,"b":2})");
}

TEST_CASE("same_json is deep, ignores member order and compares numbers by value", "[sim]") {
  CHECK(same_json(parse(R"({"a":{"x":[1,"2",null]},"b":true})"),
                  parse(R"({"b":true,"a":{"x":[1,"2",null]}})")));
  CHECK_FALSE(parse(R"({"a":1,"b":2})") == parse(R"({"b":2,"a":1})")); // why same_json exists
  CHECK_FALSE(same_json(parse(R"({"a":[1,2]})"), parse(R"({"a":[2,1]})")));
  CHECK_FALSE(same_json(parse(R"({"a":1})"), parse(R"({"a":1,"b":null})")));
  CHECK_FALSE(same_json(parse(R"({"a":1,"c":2})"), parse(R"({"a":1,"b":2})")));
  CHECK(same_json(parse("1.0"), parse("1")));
  CHECK(same_json(parse("-1"), json(-1)));
  CHECK_FALSE(same_json(parse("\"1\""), parse("1")));
  CHECK(same_json(json{}, parse("null")));
  CHECK_FALSE(same_json(json::object(), json::array()));
}

TEST_CASE("malformed JSON is rejected with a reason", "[sim]") {
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
                    "[NaN]",
                    "\"\\ud800\""}) {
    INFO(text);
    auto error = parse_error(text);
    CHECK(error.starts_with("invalid JSON: "));
    CHECK(error.find("parse error at line") != std::string::npos);
  }
  CHECK(parse_error("[1e400]") == "invalid JSON: number overflow parsing '1e400'");
  CHECK(parse_error("-1e400") == "invalid JSON: number overflow parsing '-1e400'");
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

TEST_CASE("deep nesting parses up to 256 levels", "[sim]") {
  auto nested = [](size_t depth) {
    return std::string(depth, '[') + std::string(depth, ']');
  };
  CHECK(dump_json(parse(nested(256))) == nested(256));
  CHECK(parse(R"(["[[[[", "{{{{"])").size() == 2); // brackets in strings do not nest
  std::string error;
  CHECK_FALSE(parse_json(nested(257), &error).has_value());
  CHECK(error.find("too deep") != std::string::npos);
  CHECK_FALSE(parse_json(nested(100000), nullptr).has_value());
  std::string objects;
  for (int i = 0; i < 257; ++i)
    objects += "{\"a\":";
  objects += "1" + std::string(257, '}');
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
  CHECK(v.size() > 100);
  CHECK(dump_json(v) == big);

  std::string wide = "{";
  for (int i = 0; i < 20000; ++i)
    wide += (i ? "," : "") + std::string{"\"k"} + std::to_string(i) + "\":" + std::to_string(i);
  wide += ",\"k7\":\"last\"}";
  auto w = parse(wide);
  CHECK(w.size() == 20000);
  CHECK(w["k7"] == "last");
  CHECK(w["k19999"] == 19999);
}

TEST_CASE("nlohmann's merge patch follows the RFC 7386 examples", "[sim]") {
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
  CHECK(apply_strategic_merge_patch(target, parse(R"({"b":{"$patch":7}})")).has_value());
  CHECK(apply_strategic_merge_patch(target, parse(R"({"$deleteFromPrimitiveList/a":"x"})"))
            .has_value());
  CHECK(target.contains("a"));
}

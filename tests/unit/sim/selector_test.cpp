#include <catch2/catch.hpp>

#include "sim/field_selector.hpp"
#include "sim/label_selector.hpp"

using namespace ambient::sim;

namespace {

label_selector labels(std::string_view text) {
  std::string error;
  auto s = label_selector::parse(text, &error);
  INFO(error);
  REQUIRE(s.has_value());
  return std::move(*s);
}

std::string label_error(std::string_view text) {
  std::string error;
  CHECK_FALSE(label_selector::parse(text, &error).has_value());
  return error;
}

/// Labels of a web frontend pod.
label_map web_labels() {
  return {{"app", "web"}, {"tier", "frontend"}, {"example.com/team", "a"}, {"gen", "7"}};
}

/// Labels of a database pod.
label_map db_labels() {
  return {{"app", "db"}, {"tier", "backend"}};
}

/// Field values of a pod named "web-1" in "prod" on "node-a".
std::string_view pod_field(std::string_view field) {
  if (field == "metadata.name")
    return "web-1";
  if (field == "metadata.namespace")
    return "prod";
  if (field == "spec.nodeName")
    return "node-a";
  return "";
}

} // namespace

TEST_CASE("an empty label selector matches everything", "[sim]") {
  const auto web = web_labels();
  const label_map none;
  for (auto text : {"", "   "}) {
    auto s = labels(text);
    CHECK(s.empty());
    CHECK(s.matches(web));
    CHECK(s.matches(none));
  }
  CHECK_FALSE(labels("app").empty());
}

TEST_CASE("label equality operators match values", "[sim]") {
  const auto web = web_labels();
  const auto db = db_labels();
  const label_map none;
  CHECK(labels("app=web").matches(web));
  CHECK_FALSE(labels("app=web").matches(db));
  CHECK_FALSE(labels("app=web").matches(none));
  CHECK(labels("app==web").matches(web));
  CHECK(labels("app != web").matches(db));
  CHECK(labels("app!=web").matches(none));
  CHECK_FALSE(labels("app!=web").matches(web));
  CHECK(labels("example.com/team=a").matches(web));
  CHECK(labels("missing=").matches(label_map{{"missing", ""}}));
  CHECK_FALSE(labels("missing=").matches(none));
  CHECK(labels("missing==").matches(label_map{{"missing", ""}}));
}

TEST_CASE("label set operators match membership", "[sim]") {
  const auto web = web_labels();
  const auto db = db_labels();
  const label_map none;
  CHECK(labels("app in (web,db)").matches(web));
  CHECK(labels("app in (web, db)").matches(db));
  CHECK_FALSE(labels("app in (api)").matches(web));
  CHECK_FALSE(labels("app in (web)").matches(none));
  CHECK(labels("app notin (db)").matches(web));
  CHECK(labels("app notin (db)").matches(none));
  CHECK_FALSE(labels("app notin (db,web)").matches(web));
  CHECK(labels("tier in (frontend,)").matches(label_map{{"tier", ""}}));
  CHECK(labels("in in (notin)").matches(label_map{{"in", "notin"}}));
}

TEST_CASE("label existence operators match keys", "[sim]") {
  const auto web = web_labels();
  const label_map none;
  CHECK(labels("app").matches(web));
  CHECK_FALSE(labels("app").matches(none));
  CHECK(labels("!app").matches(none));
  CHECK_FALSE(labels("!app").matches(web));
  CHECK(labels("! missing").matches(web));
}

TEST_CASE("label comparison operators compare integers", "[sim]") {
  const auto web = web_labels();
  const auto db = db_labels();
  CHECK(labels("gen>5").matches(web));
  CHECK_FALSE(labels("gen>7").matches(web));
  CHECK(labels("gen<8").matches(web));
  CHECK_FALSE(labels("gen<8").matches(db));
  CHECK_FALSE(labels("app<8").matches(web));
}

TEST_CASE("label requirements combine with and", "[sim]") {
  const auto web = web_labels();
  const auto db = db_labels();
  auto s = labels("app in (web,db), tier!=backend,!canary,example.com/team");
  CHECK(s.requirements().size() == 4);
  CHECK(s.matches(web));
  CHECK_FALSE(s.matches(db));
  CHECK_FALSE(s.matches(label_map{{"app", "web"}, {"example.com/team", "b"}, {"canary", "1"}}));
  CHECK(s.matches(label_map{{"app", "db"}, {"example.com/team", "b"}}));
}

TEST_CASE("broken label selectors are rejected like the apiserver does", "[sim]") {
  const auto web = web_labels();
  for (auto text : {"app in (web",
                    "app in web",
                    "app in ()",
                    "app in (a b)",
                    "app notin",
                    "=web",
                    "app=web=x",
                    "app=web,",
                    ",app",
                    "!",
                    "!app=web",
                    "app web",
                    "a,,b",
                    "app=(web)",
                    "app > x",
                    "app in (a))",
                    "-bad=x",
                    "app=-bad",
                    "key/=x",
                    "/name=x",
                    "Bad_Prefix.com/x=y",
                    "app=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}) {
    INFO(text);
    CHECK(label_error(text).starts_with("unable to parse requirement: "));
  }
  CHECK(label_error("app in (web")
        == "unable to parse requirement: found '', expected: ',' or ')'");
  CHECK(label_error("app in ()")
        == "unable to parse requirement: for 'in', 'notin' operators, values set can't be empty");
  CHECK(label_error("a b")
        == "unable to parse requirement: found 'b', expected: in, notin, =, ==, "
           "!=, gt, lt");
  CHECK_FALSE(label_selector::parse("(", nullptr).has_value());
}

TEST_CASE("field selectors match metadata fields", "[sim]") {
  std::string error;
  auto s = field_selector::parse("metadata.name=web-1,metadata.namespace!=kube-system", {}, &error);
  REQUIRE(s.has_value());
  CHECK(s->terms().size() == 2);
  CHECK(s->matches(pod_field));
  CHECK_FALSE(field_selector::parse("metadata.name==web-2", {}, &error)->matches(pod_field));
  CHECK_FALSE(field_selector::parse("metadata.namespace!=prod", {}, &error)->matches(pod_field));
  auto empty = field_selector::parse("", {}, &error);
  REQUIRE(empty.has_value());
  CHECK(empty->empty());
  CHECK(empty->matches(pod_field));
}

TEST_CASE("field selectors accept fields the caller supports", "[sim]") {
  std::string error;
  const std::vector<std::string> pod_fields{"spec.nodeName", "status.phase"};
  auto s = field_selector::parse("spec.nodeName=node-a", pod_fields, &error);
  REQUIRE(s.has_value());
  CHECK(s->matches(pod_field));
  CHECK(field_selector::parse("spec.nodeName!=node-a", pod_fields, &error)->matches(pod_field)
        == false);
  CHECK(field_selector::parse("spec.nodeName=", pod_fields, &error)->matches([](auto) {
    return std::string_view{};
  }));
}

TEST_CASE("field selectors reject unsupported fields and bad syntax", "[sim]") {
  std::string error;
  CHECK_FALSE(field_selector::parse("spec.nodeName=node-a", {}, &error).has_value());
  CHECK(error == "field label not supported: spec.nodeName");
  CHECK_FALSE(field_selector::parse("metadata.name", {}, &error).has_value());
  CHECK(error == "invalid selector: 'metadata.name'; can't understand 'metadata.name'");
  CHECK_FALSE(field_selector::parse(R"(metadata.name=a\x)", {}, &error).has_value());
  CHECK_FALSE(field_selector::parse("metadata.name=a=b", {}, &error).has_value());
  CHECK_FALSE(field_selector::parse("status.phase=Running", {"type"}, nullptr).has_value());
}

TEST_CASE("field selector values unescape commas and equals signs", "[sim]") {
  std::string error;
  auto s = field_selector::parse(R"(metadata.name=a\,b\=c\\d)", {}, &error);
  REQUIRE(s.has_value());
  REQUIRE(s->terms().size() == 1);
  CHECK(s->terms()[0].value == R"(a,b=c\d)");
  CHECK(s->matches([](std::string_view) { return std::string_view{R"(a,b=c\d)"}; }));
}

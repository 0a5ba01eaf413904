#include <catch2/catch.hpp>

#include "mesh/label_selector.hpp"

#include <string>
#include <vector>

using namespace ambient;
using namespace ambient::mesh;

namespace {

label_selector must_make(kube::string_map labels, std::vector<label_requirement> exprs = {}) {
  auto made = label_selector::make(std::move(labels), std::move(exprs), "sel");
  if (auto* e = std::get_if<config_error>(&made))
    FAIL(e->message);
  return std::get<label_selector>(std::move(made));
}

std::string error_of(kube::string_map labels, std::vector<label_requirement> exprs = {}) {
  auto made = label_selector::make(std::move(labels), std::move(exprs), "sel");
  auto* e = std::get_if<config_error>(&made);
  return e ? e->message : "(accepted)";
}

label_requirement req(std::string key, selector_operator op, std::vector<std::string> values = {}) {
  return label_requirement{std::move(key), op, std::move(values)};
}

/// One row of a matching table: labels (sorted) and whether the selector matches them.
struct match_case {
  kube::string_map labels;
  bool matches;
};

void check_table(const label_selector& s, const std::vector<match_case>& table) {
  for (const auto& row : table) {
    INFO("labels: " << row.labels.size() << " pairs, first "
                    << (row.labels.empty() ? "-" : row.labels.front().first));
    CHECK(s.matches(row.labels) == row.matches);
  }
}

} // namespace

TEST_CASE("an empty label selector matches every label set", "[mesh]") {
  label_selector s;
  CHECK(s.empty());
  CHECK(s.matches({}));
  CHECK(s.matches({{"app", "web"}, {"team", "a"}}));
  auto made = must_make({}, {});
  CHECK(made.empty());
  CHECK(made.matches({{"x", "y"}}));
}

TEST_CASE("match labels need every pair present with the same value", "[mesh]") {
  auto s = must_make({{"team", "a"}, {"app", "web"}});
  CHECK(s.match_labels() == kube::string_map{{"app", "web"}, {"team", "a"}});
  check_table(s, {
                     {{}, false},
                     {{{"app", "web"}}, false},
                     {{{"app", "web"}, {"team", "a"}}, true},
                     {{{"app", "web"}, {"extra", "1"}, {"team", "a"}}, true},
                     {{{"app", "web"}, {"team", "b"}}, false},
                     {{{"app", ""}, {"team", "a"}}, false},
                 });
}

TEST_CASE("In needs the key present with one of the listed values", "[mesh]") {
  auto s = must_make({}, {req("env", selector_operator::in, {"prod", "staging"})});
  check_table(s, {
                     {{}, false},
                     {{{"env", "prod"}}, true},
                     {{{"env", "staging"}}, true},
                     {{{"env", "dev"}}, false},
                     {{{"other", "prod"}}, false},
                 });
}

TEST_CASE("NotIn matches when the key is absent or its value is not listed", "[mesh]") {
  auto s = must_make({}, {req("env", selector_operator::not_in, {"prod"})});
  check_table(s, {
                     {{}, true},
                     {{{"env", "dev"}}, true},
                     {{{"env", ""}}, true},
                     {{{"env", "prod"}}, false},
                 });
}

TEST_CASE("Exists and DoesNotExist look only at the key", "[mesh]") {
  auto exists = must_make({}, {req("istio-injection", selector_operator::exists)});
  auto absent = must_make({}, {req("istio-injection", selector_operator::does_not_exist)});
  const std::vector<kube::string_map> with_key{{{"istio-injection", ""}},
                                               {{"istio-injection", "enabled"}}};
  for (const auto& labels : with_key) {
    CHECK(exists.matches(labels));
    CHECK_FALSE(absent.matches(labels));
  }
  CHECK_FALSE(exists.matches({{"other", "x"}}));
  CHECK(absent.matches({{"other", "x"}}));
}

TEST_CASE("match labels and every match expression must all hold", "[mesh]") {
  auto s = must_make({{"team", "a"}}, {req("env", selector_operator::in, {"prod"}),
                                       req("legacy", selector_operator::does_not_exist)});
  check_table(s, {
                     {{{"env", "prod"}, {"team", "a"}}, true},
                     {{{"env", "prod"}, {"team", "b"}}, false},
                     {{{"env", "dev"}, {"team", "a"}}, false},
                     {{{"env", "prod"}, {"legacy", "true"}, {"team", "a"}}, false},
                 });
}

TEST_CASE("selector operators parse only in their API spelling", "[mesh]") {
  for (auto op : {selector_operator::in, selector_operator::not_in, selector_operator::exists,
                  selector_operator::does_not_exist})
    CHECK(parse_selector_operator(to_string(op)) == op);
  CHECK(to_string(selector_operator::not_in) == "NotIn");
  for (auto bad : {"", "in", "notin", "Equals", "Gt", "exists", "In "})
    CHECK_FALSE(parse_selector_operator(bad));
}

TEST_CASE("In and NotIn without values are refused naming the values field", "[mesh]") {
  CHECK(error_of({}, {req("env", selector_operator::in)})
        == "sel.matchExpressions[0].values: must not be empty for operator In");
  CHECK(error_of({}, {req("a", selector_operator::exists), req("env", selector_operator::not_in)})
        == "sel.matchExpressions[1].values: must not be empty for operator NotIn");
}

TEST_CASE("Exists and DoesNotExist with values are refused naming the values field", "[mesh]") {
  CHECK(error_of({}, {req("env", selector_operator::exists, {"x"})})
        == "sel.matchExpressions[0].values: must be empty for operator Exists");
  CHECK(error_of({}, {req("env", selector_operator::does_not_exist, {"x"})})
        == "sel.matchExpressions[0].values: must be empty for operator DoesNotExist");
}

TEST_CASE("label keys must be qualified names as apimachinery checks them", "[mesh]") {
  struct key_case {
    std::string key;
    std::string problem;
  };
  const std::string name_rule = "name part must consist of alphanumeric characters, '-', '_' or "
                                "'.', and must start and end with an alphanumeric character";
  const std::vector<key_case> table{
      {"app", ""},
      {"istio.io/global", ""},
      {"topology.istio.io/network", ""},
      {"A_b.c-9", ""},
      {std::string(63, 'a'), ""},
      {"", "name part must not be empty"},
      {"istio.io/", "name part must not be empty"},
      {"/app", "prefix part must not be empty"},
      {"a/b/c", "a qualified name has at most one '/'"},
      {"Istio.io/app", "prefix part must be a lowercase DNS subdomain (e.g. example.com)"},
      {"istio..io/app", "prefix part must be a lowercase DNS subdomain (e.g. example.com)"},
      {std::string(254, 'a') + "/app", "prefix part must be no more than 253 characters"},
      {std::string(64, 'a'), "name part must be no more than 63 characters"},
      {"-app", name_rule},
      {"app_", name_rule},
      {"a b", name_rule},
  };
  for (const auto& row : table) {
    INFO("key: " << row.key);
    CHECK(label_key_problem(row.key) == row.problem);
  }
  CHECK(error_of({{"a/b/c", "x"}})
        == "sel.matchLabels: invalid key \"a/b/c\": a qualified name has at most one '/'");
  CHECK(error_of({}, {req("", selector_operator::exists)})
        == "sel.matchExpressions[0].key: invalid key \"\": name part must not be empty");
}

TEST_CASE("label values must be empty or short alphanumeric words", "[mesh]") {
  for (auto good : {"", "true", "v1.2_3-x", "A"})
    CHECK(label_value_problem(good).empty());
  CHECK(label_value_problem(std::string(64, 'v')) == "must be no more than 63 characters");
  CHECK_FALSE(label_value_problem("-v").empty());
  CHECK_FALSE(label_value_problem("a/b").empty());
  CHECK(error_of({{"app", "a b"}})
        == "sel.matchLabels.app: invalid value \"a b\": must consist of alphanumeric characters, "
           "'-', '_' or '.', and must start and end with an alphanumeric character");
  CHECK(error_of({}, {req("env", selector_operator::in, {"ok", "no!"})})
            .starts_with("sel.matchExpressions[0].values[1]: invalid value \"no!\": "));
}

TEST_CASE("duplicate match label keys are refused", "[mesh]") {
  CHECK(error_of({{"app", "a"}, {"app", "b"}}) == "sel.matchLabels: duplicate key \"app\"");
}

TEST_CASE("expression values are kept sorted and unique", "[mesh]") {
  auto s = must_make({}, {req("env", selector_operator::in, {"b", "a", "b"})});
  REQUIRE(s.match_expressions().size() == 1);
  CHECK(s.match_expressions()[0].values == std::vector<std::string>{"a", "b"});
  CHECK(s.matches({{"env", "b"}}));
}

TEST_CASE("error messages quote names printably and briefly", "[mesh]") {
  CHECK(quoted("a\nb") == "\"a?b\"");
  CHECK(quoted(std::string(120, 'x')) == "\"" + std::string(100, 'x') + "...\"");
}

#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

#include "support/authorization_rows.hpp"

using namespace ambient;
using namespace ambient::test;
using mesh::authz_operation;
using mesh::authz_rule;
using mesh::authz_source;

namespace {

/// Every HTTP-only field, by its API name, with a rule that sets only it.
std::vector<std::pair<std::string, authz_rule>> http_only_rules() {
  using op = authz_operation;
  using src = authz_source;
  std::vector<std::pair<std::string, authz_rule>> out{
      {"hosts", to_with([](op& o) { o.hosts = {"a.example"}; })},
      {"notHosts", to_with([](op& o) { o.not_hosts = {"a.example"}; })},
      {"methods", to_with([](op& o) { o.methods = {"GET"}; })},
      {"notMethods", to_with([](op& o) { o.not_methods = {"GET"}; })},
      {"paths", to_with([](op& o) { o.paths = {"/admin"}; })},
      {"notPaths", to_with([](op& o) { o.not_paths = {"/admin"}; })},
      {"remoteIpBlocks", from_with([](src& s) { s.remote_ip_blocks = {"10.0.0.0/8"}; })},
      {"notRemoteIpBlocks", from_with([](src& s) { s.not_remote_ip_blocks = {"10.0.0.0/8"}; })},
      {"requestPrincipals", from_with([](src& s) { s.request_principals = {"iss/sub"}; })},
      {"notRequestPrincipals", from_with([](src& s) { s.not_request_principals = {"iss/sub"}; })},
  };
  for (const char* key : {"remote.ip", "connection.sni", "request.headers[x-user]",
                          "request.auth.claims[iss]", "source.port"})
    out.emplace_back(key, when_key(key, {"v"}));
  return out;
}

} // namespace

TEST_CASE("an ALLOW rule with any HTTP field is dropped and named in the status", "[mesh]") {
  const auto fields = http_only_rules(); // rows point at these names
  std::vector<row> rows;
  for (const auto& [field, rule] : fields) {
    rows.push_back({field.c_str(),
                    [r = rule](auto& ap) {
                      ap.action = "ALLOW";
                      ap.rules = {from_namespace("keep"), r};
                    },
                    head("scope: NAMESPACE groups { rules { matches {"
                         " namespaces { exact: 'keep' } } } }"),
                    allow_dropped(field)});
  }
  run(rows);
}

TEST_CASE("a DENY rule whose only clause is HTTP-only denies every connection", "[mesh]") {
  const auto fields = http_only_rules(); // rows point at these names
  std::vector<row> rows;
  for (const auto& [field, rule] : fields) {
    rows.push_back({field.c_str(),
                    [r = rule](auto& ap) {
                      ap.action = "DENY";
                      ap.rules = {r};
                    },
                    head("scope: NAMESPACE action: DENY groups {}"), deny_mixed(field)});
  }
  run(rows);
}

TEST_CASE("HTTP fields in a policy give the status variant of its action", "[mesh]") {
  run({
      {"an ALLOW policy whose every rule is dropped is sent without groups",
       [](auto& ap) { ap.rules = {to_with([](auto& o) { o.paths = {"/a"}; })}; },
       head("scope: NAMESPACE"), allow_dropped("paths")},
      {"an ALLOW rule with L4 and HTTP fields in one entry is dropped",
       [](auto& ap) {
         ap.rules = {from_with([](auto& s) {
           s.namespaces = {"a"};
           s.request_principals = {"*"};
         })};
       },
       head("scope: NAMESPACE"), allow_dropped("requestPrincipals")},
      {"a DENY entry with L4 and HTTP fields keeps its L4 part and still denies",
       [](auto& ap) {
         ap.action = "DENY";
         ap.rules = {from_with([](auto& s) {
           s.namespaces = {"a"};
           s.remote_ip_blocks = {"1.2.3.4"};
         })};
       },
       head("scope: NAMESPACE action: DENY groups { rules { matches {"
            " namespaces { exact: 'a' } } } }"),
       deny_mixed("remoteIpBlocks")},
      {"a DENY rule whose to part is HTTP-only denies by its from part alone",
       [](auto& ap) {
         ap.action = "DENY";
         auto r = from_namespace("a");
         r.to.push_back({});
         r.to.back().methods = {"POST"};
         ap.rules = {r};
       },
       head("scope: NAMESPACE action: DENY groups {"
            " rules { matches { namespaces { exact: 'a' } } } }"),
       deny_mixed("methods")},
      {"a DENY to part with one HTTP-only alternative cannot narrow the rule",
       [](auto& ap) {
         ap.action = "DENY";
         auto r = from_namespace("a");
         r.to = {{}, {}};
         r.to[0].ports = {"80"};
         r.to[1].paths = {"/admin"};
         ap.rules = {r};
       },
       head("scope: NAMESPACE action: DENY groups {"
            " rules { matches { namespaces { exact: 'a' } } } }"),
       deny_mixed("paths")},
      {"a DENY policy with an HTTP-only rule and an L4 rule is enforced in part",
       [](auto& ap) {
         ap.action = "DENY";
         ap.rules = {to_with([](auto& o) { o.paths = {"/a"}; }), from_namespace("b")};
       },
       head("scope: NAMESPACE action: DENY groups {}"
            " groups { rules { matches { namespaces { exact: 'b' } } } }"),
       deny_mixed("paths")},
      {"a DENY policy with an HTTP-only rule and an empty rule denies everything",
       [](auto& ap) {
         ap.action = "DENY";
         ap.rules = {to_with([](auto& o) { o.hosts = {"h"}; }), authz_rule{}};
       },
       head("scope: NAMESPACE action: DENY groups {} groups {}"), deny_mixed("hosts")},
      {"a DENY when clause on an HTTP key next to an L4 one is left out",
       [](auto& ap) {
         ap.action = "DENY";
         authz_rule r;
         r.when = {{"source.ip", {"10.0.0.1"}, {}}, {"request.method", {"GET"}, {}}};
         ap.rules = {r};
       },
       head("scope: NAMESPACE action: DENY groups {"
            " rules { matches { source_ips { address: '\\n\\0\\0\\1' length: 32 } } } }"),
       deny_mixed("request.method")},
      {"a DENY rule emptied by an invalid port stays an empty match as in istiod",
       [](auto& ap) {
         ap.action = "DENY";
         auto r = when_key("request.method", {"GET"});
         r.to = {{}};
         r.to[0].ports = {"not-a-port"};
         ap.rules = {r};
       },
       head("scope: NAMESPACE action: DENY groups { rules { matches {} } }"),
       deny_no_effect("request.method")},
      {"found names are sorted and listed once",
       [](auto& ap) {
         auto r = when_key("request.headers[x]", {"1"});
         r.to = {{}};
         r.to[0].paths = {"/p"};
         r.to[0].methods = {"GET"};
         r.from = {{}};
         r.from[0].request_principals = {"a"};
         ap.rules = {r, to_with([](auto& o) { o.paths = {"/q"}; })};
       },
       head("scope: NAMESPACE"),
       allow_dropped("methods, paths, request.headers[x], requestPrincipals")},
  });
}

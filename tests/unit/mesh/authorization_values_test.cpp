#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

#include "mesh/authorization_values.hpp"
#include "mesh/context.hpp"
#include "support/authorization_rows.hpp"

using namespace ambient;
using namespace ambient::test;

TEST_CASE("string values become presence or suffix or prefix or exact matches", "[mesh]") {
  struct {
    const char* in;
    const char* expected;
  } rows[] = {
      {"*", "presence {}"},
      {"*.example", "suffix: '.example'"},
      {"spiffe*", "prefix: 'spiffe'"},
      {"ns-a", "exact: 'ns-a'"},
      {"**", "suffix: '*'"},
      {"a*b", "exact: 'a*b'"},
      {"", "exact: ''"},
  };
  for (const auto& r : rows) {
    INFO("value: " << r.in);
    check_text_proto(mesh::string_match(r.in), r.expected);
  }
}

TEST_CASE("ports are decimal numbers up to 65535 and anything else is dropped", "[mesh]") {
  CHECK(mesh::parse_ports({"80", "080", "0", "65535"}) == std::vector<uint32_t>{80, 80, 0, 65535});
  CHECK(mesh::parse_ports(
            {"65536", "-1", "+80", "8a", "", " 80", "0x50", "4294967296", "99999999999999999999"})
            .empty());
}

TEST_CASE("addresses keep their unmasked bytes and a length and invalid ones are dropped",
          "[mesh]") {
  struct {
    const char* in;
    const char* address; ///< nullptr: dropped.
    uint32_t length;
  } rows[] = {
      {"10.0.0.1", "10.0.0.1", 32},
      {"10.0.0.1/24", "10.0.0.1", 24},
      {"10.0.0.0/0", "10.0.0.0", 0},
      {"::1", "::1", 128},
      {"2001:db8::5/32", "2001:db8::5", 32},
      {"::ffff:10.0.0.1", "::ffff:10.0.0.1", 128},
      {"fe80::1%eth0", "fe80::1", 128},
      {"10.0.0.1/33", nullptr, 0},
      {"::1/129", nullptr, 0},
      {"10.0.0.1/08", nullptr, 0},
      {"10.0.0.1/", nullptr, 0},
      {"10.0.0.1/-1", nullptr, 0},
      {"10.0.0.1%eth0", nullptr, 0},
      {"fe80::1%", nullptr, 0},
      {"fe80::1%eth0/64", nullptr, 0},
      {"010.0.0.1", nullptr, 0},
      {"10.0.0", nullptr, 0},
      {"not-an-ip", nullptr, 0},
      {"", nullptr, 0},
  };
  for (const auto& r : rows) {
    INFO("value: " << r.in);
    auto a = mesh::parse_address(r.in);
    REQUIRE(a.has_value() == (r.address != nullptr));
    if (a) {
      CHECK(mesh::ip_text(a->address()) == r.address);
      CHECK(a->length() == r.length);
    }
  }
}

TEST_CASE("service accounts split at the first slash or take the policy namespace", "[mesh]") {
  check_text_proto(mesh::service_account_match("other/sa", "demo"),
                   "namespace: 'other' serviceAccount: 'sa'");
  check_text_proto(mesh::service_account_match("sa", "demo"),
                   "namespace: 'demo' serviceAccount: 'sa'");
  check_text_proto(mesh::service_account_match("a/b/c", "demo"),
                   "namespace: 'a' serviceAccount: 'b/c'");
  check_text_proto(mesh::service_account_match("/sa", "demo"), "serviceAccount: 'sa'");
}

TEST_CASE("every L4 source and operation field fills its match field", "[mesh]") {
  run({
      {"from fields",
       [](auto& ap) {
         ap.rules = {from_with([](auto& s) {
           s.principals = {"cluster.local/ns/a/sa/b"};
           s.not_principals = {"*"};
           s.namespaces = {"a*"};
           s.not_namespaces = {"*-test"};
           s.ip_blocks = {"10.0.0.0/8", "bad"};
           s.not_ip_blocks = {"10.1.0.1"};
           s.service_accounts = {"a/b", "c"};
           s.not_service_accounts = {"x/y"};
         })};
       },
       head("scope: NAMESPACE groups { rules { matches {"
            " principals { exact: 'cluster.local/ns/a/sa/b' } not_principals { presence {} }"
            " namespaces { prefix: 'a' } not_namespaces { suffix: '-test' }"
            " source_ips { address: '\\n\\0\\0\\0' length: 8 }"
            " not_source_ips { address: '\\n\\1\\0\\1' length: 32 }"
            " service_accounts { namespace: 'a' serviceAccount: 'b' }"
            " service_accounts { namespace: 'demo' serviceAccount: 'c' }"
            " not_service_accounts { namespace: 'x' serviceAccount: 'y' } } } }"),
       ""},
      {"operation ports with an invalid one dropped",
       [](auto& ap) {
         ap.rules = {to_with([](auto& o) {
           o.ports = {"8080", "http", "70000"};
           o.not_ports = {"9090"};
         })};
       },
       head("scope: NAMESPACE groups { rules { matches {"
            " destination_ports: 8080 not_destination_ports: 9090 } } }"),
       ""},
      {"only invalid ports leave an empty match and no status",
       [](auto& ap) { ap.rules = {to_with([](auto& o) { o.ports = {"http"}; })}; },
       head("scope: NAMESPACE groups { rules { matches {} } }"), ""},
  });
}

TEST_CASE("each L4 when key fills its field from values and its not field from notValues",
          "[mesh]") {
  auto when
      = [](const char* key, std::vector<std::string> values, std::vector<std::string> not_values) {
          return [=](auto& ap) {
            mesh::authz_rule r;
            r.when = {{key, values, not_values}};
            ap.rules = {r};
          };
        };
  auto expect = [](const std::string& match) {
    return head("scope: NAMESPACE groups { rules { matches { " + match + " } } }");
  };
  run({
      {"source.namespace", when("source.namespace", {"a"}, {"b*"}),
       expect("namespaces { exact: 'a' } not_namespaces { prefix: 'b' }"), ""},
      {"source.principal", when("source.principal", {"*"}, {"p"}),
       expect("principals { presence {} } not_principals { exact: 'p' }"), ""},
      {"source.ip", when("source.ip", {"10.0.0.1"}, {"10.0.0.0/8"}),
       expect("source_ips { address: '\\n\\0\\0\\1' length: 32 }"
              " not_source_ips { address: '\\n\\0\\0\\0' length: 8 }"),
       ""},
      {"destination.ip", when("destination.ip", {"10.0.0.2"}, {"x"}),
       expect("destination_ips { address: '\\n\\0\\0\\2' length: 32 }"), ""},
      {"destination.port", when("destination.port", {"80"}, {"81", "bad"}),
       expect("destination_ports: 80 not_destination_ports: 81"), ""},
      {"an L4 key without values", when("source.ip", {}, {}),
       head("scope: NAMESPACE groups { rules { matches {} } }"), ""},
  });
}

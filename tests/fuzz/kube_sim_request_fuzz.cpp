// Fuzzes kube-sim's API request handling (sim::handle_api_request: routing, query parsing, JSON
// bodies and their round trip through sim/json, merge and strategic patches, watches' parameters,
// TokenRequest and TokenReview) against a small store, and its query and percent decoding. Input:
// up to four requests separated by "\n--\n", each "METHOD\nTARGET\nCONTENT-TYPE\nBODY".
#include <string>

#include "sim/api_handler.hpp"
#include "sim/json.hpp"
#include "sim/resources.hpp"
#include "sim/service_account_tokens.hpp"
#include "tests/fuzz/fuzz_input.hpp"

using namespace ambient;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto signer = sim::token_signer::create(); // one key: key generation is slow
  fuzz::input in{data, size};
  sim::store s{64};
  s.create(*sim::find_resource("", "v1", "namespaces"), "",
           *sim::parse_json(R"({"metadata":{"name":"default"}})", nullptr));
  s.create(*sim::find_resource("", "v1", "pods"), "default",
           *sim::parse_json(R"({"metadata":{"name":"p","labels":{"app":"a"}},)"
                            R"("spec":{"nodeName":"n1","containers":[{"name":"c"}]},)"
                            R"("status":{"podIP":"10.0.0.1","phase":"Running"}})",
                            nullptr));
  s.create(*sim::find_resource("", "v1", "serviceaccounts"), "default",
           *sim::parse_json(R"({"metadata":{"name":"default"}})", nullptr));
  for (int i = 0; i < 4 && !in.empty(); ++i) {
    auto text = in.until("\n--\n");
    fuzz::input req{reinterpret_cast<const uint8_t*>(text.data()), text.size()};
    sim::api_request r;
    r.method = std::string{req.until("\n")};
    r.target = std::string{req.until("\n")};
    r.content_type = std::string{req.until("\n")};
    r.body = std::string{req.rest()};
    // What kube-sim parses it can dump, and the dump parses back to the same text.
    if (auto doc = sim::parse_json(r.body, nullptr)) {
      auto dumped = sim::dump_json(*doc);
      auto again = sim::parse_json(dumped, nullptr);
      if (!again || sim::dump_json(*again) != dumped)
        __builtin_trap();
    }
    auto out = sim::handle_api_request(s, r, "127.0.0.1:6443", &signer);
    if (auto* resp = std::get_if<sim::api_response>(&out)) {
      if (resp->status < 100 || resp->status > 599)
        __builtin_trap();
      if (resp->status >= 400 && resp->body.empty())
        __builtin_trap(); // an error is always a Status body
    }
    auto q = r.target.find('?');
    if (q != std::string::npos)
      (void)sim::parse_query(std::string_view{r.target}.substr(q + 1));
    (void)sim::percent_decode(r.target, true);
  }
  return 0;
}

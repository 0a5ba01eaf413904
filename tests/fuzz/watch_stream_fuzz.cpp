// Fuzzes what a watch stream delivers: the framer (kube::watch_framer) fed in chunks whose sizes
// come from the input, each framed object through decode_watch_event, and each event's object and
// each framed object through every object decoder. Input: one byte seeding the chunk sizes, then
// the stream bytes.
#include <string>
#include <vector>

#include "kube/decode.hpp"
#include "kube/watch_framer.hpp"
#include "tests/fuzz/fuzz_input.hpp"

using namespace ambient;

namespace {

void decode_all(std::string_view json) {
  kube::decode_limits limits{64u << 10};
  (void)kube::decode_pod(json, limits);
  (void)kube::decode_service(json, limits);
  (void)kube::decode_namespace(json, limits);
  (void)kube::decode_node(json, limits);
  (void)kube::decode_endpoint_slice(json, limits);
  (void)kube::decode_secret(json, limits);
  (void)kube::decode_config_map(json, limits);
  (void)kube::decode_lease(json, limits);
  (void)kube::decode_gateway(json, limits);
  (void)kube::decode_object_meta(json);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::input in{data, size};
  unsigned step = in.byte() % 61 + 1; // chunk sizes 1..61, varied below
  kube::watch_framer framer{16u << 10};
  std::vector<std::string> objects;
  auto stream = in.rest();
  size_t fed = 0;
  while (fed < stream.size()) {
    size_t n = std::min<size_t>(step, stream.size() - fed);
    if (auto err = framer.feed(stream.substr(fed, n), objects)) {
      if (err->empty())
        __builtin_trap(); // a framing error always says why
      framer.reset();     // as the reflector does: the watch restarts
    }
    fed += n;
    step = step * 7 % 61 + 1;
  }
  for (const auto& object : objects) {
    auto event = kube::decode_watch_event(object);
    if (auto* e = std::get_if<kube::raw_watch_event>(&event))
      decode_all(e->object_json);
    else if (std::get<kube::decode_error>(event).message.empty())
      __builtin_trap();
    decode_all(object);
  }
  return 0;
}

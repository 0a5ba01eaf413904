// Fuzzes what a watch stream delivers: the framer (kube::watch_framer) fed in chunks whose sizes
// come from the input, and each framed object, for every kind of the kind table, through the
// watch event decoder (which decodes the object in the same pass), the list decoder and the object
// decoder; and through the metadata and Status decoders. Input: one byte seeding the chunk sizes,
// then the stream bytes.
#include <string>
#include <vector>

#include "kube/api_envelope.hpp"
#include "kube/decode.hpp"
#include "kube/watch_framer.hpp"
#include "tests/fuzz/fuzz_input.hpp"

using namespace ambient;

namespace {

/// A decode either succeeds or says why.
template <class T>
void check(const kube::decoded<T>& d) {
  if (auto* e = std::get_if<kube::decode_error>(&d); e && e->message.empty())
    __builtin_trap();
}

void decode_all(std::string_view json) {
  kube::decode_limits limits{64u << 10};
  for (size_t i = 0; i < std::variant_size_v<kube::any_object>; ++i) {
    auto kind = static_cast<kube::resource_kind>(i);
    check(kube::decode_object(kind, json, limits));
    check(kube::decode_list(kind, json, limits));
    auto event = kube::decode_watch_event(kind, json, limits);
    check(event);
    if (auto* ev = std::get_if<kube::watch_event>(&event))
      if (ev->item.error && ev->item.error->message.empty())
        __builtin_trap();
  }
  (void)kube::decode_object_meta(json);
  (void)kube::decode_status(json);
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
  for (const auto& object : objects)
    decode_all(object);
  return 0;
}

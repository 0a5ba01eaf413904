// Fuzzes what a watch stream delivers: the framer (kube::watch_framer) fed in chunks whose sizes
// come from the input, and each framed object, for every kind of the kind table, through the
// watch event decoder (which decodes the object in the same pass), the list decoder and the object
// decoder; and through the metadata and Status decoders. Every object that decodes then goes
// into the ambient index of a config and of a remote cluster (EndpointSlices, Gateways and all),
// which must take it, and leave nothing behind once every object is deleted again. Input: one
// byte seeding the chunk sizes, then the stream bytes.
#include <string>
#include <vector>

#include "kube/api_envelope.hpp"
#include "kube/decode.hpp"
#include "kube/watch_framer.hpp"
#include "mesh/cluster_index.hpp"
#include "tests/fuzz/fuzz_input.hpp"

using namespace ambient;

namespace {

/// A decode either succeeds or says why.
template <class T>
void check(const kube::decoded<T>& d) {
  if (auto* e = std::get_if<kube::decode_error>(&d); e && e->message.empty())
    __builtin_trap();
}

void decode_all(std::string_view json, std::vector<kube::any_object>& decoded) {
  kube::decode_limits limits{64u << 10};
  for (size_t i = 0; i < std::variant_size_v<kube::any_object>; ++i) {
    auto kind = static_cast<kube::resource_kind>(i);
    auto object = kube::decode_object(kind, json, limits);
    check(object);
    if (auto* o = std::get_if<kube::any_object>(&object))
      decoded.push_back(std::move(*o));
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

/// The objects in, then out again, through one cluster's ambient index.
void index_all(const std::vector<kube::any_object>& objects, bool config_cluster) {
  mesh::cluster_context ctx;
  ctx.cluster_id = config_cluster ? "cluster-1" : "cluster-2";
  ctx.is_config_cluster = config_cluster;
  auto config = std::make_shared<mesh::mesh_config>();
  mesh::cluster_index idx{ctx, config};
  idx.on_synced();
  for (const auto& o : objects)
    idx.upsert(o);
  idx.take_changes();
  for (const auto& o : objects)
    std::visit(
        [&](const auto& x) {
          idx.remove(kube::kind_of<std::decay_t<decltype(x)>>, kube::object_key(x.meta));
        },
        o);
  idx.take_changes();
  if (!idx.workloads().empty() || !idx.services().empty() || !idx.gateways().empty())
    __builtin_trap(); // something outlived the objects it came from
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
  std::vector<kube::any_object> decoded;
  for (const auto& object : objects)
    decode_all(object, decoded);
  index_all(decoded, true);
  index_all(decoded, false);
  return 0;
}

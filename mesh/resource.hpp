#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <utility>

#include <google/protobuf/arena.h>

#include "istio/workload/workload.pb.h"

namespace ambient::mesh {

/// One resource of the merged view as ztunnel receives it: the Address and its bytes, serialized
/// once (deterministically) and shared by everyone who holds or sends it.
///
/// The Address lives on the resource's own protobuf arena: a typical workload takes one block
/// instead of one heap allocation per field, and goes with one free. Every pod change builds a
/// new resource and drops the old one, so this is most of what a change costs.
class address_resource {
public:
  /// An empty resource, ready for build_resource or make_resource to fill.
  address_resource();

  address_resource(const address_resource&) = delete;
  address_resource& operator=(const address_resource&) = delete;

  /// The Address to fill while the resource is being built (a const resource has none).
  istio::workload::Address& mutable_address() {
    return *message_;
  }

private:
  /// The arena's first block, inside the resource: one allocation holds the resource and a
  /// typical workload (its strings' characters beyond the small-string size live on the heap).
  alignas(16) char first_block_[1536];
  google::protobuf::Arena arena_; // after its first block, before `address`, which lives on it
  istio::workload::Address* message_;

public:
  std::string name; ///< workload uid, or "namespace/hostname" for a service
  const istio::workload::Address& address;
  std::string bytes;
};

using address_ptr = std::shared_ptr<const address_resource>;

/// Serializes `address` deterministically (map entries sorted) into `out`, sized exactly once.
void serialize_address(const istio::workload::Address& address, std::string& out);

/// Builds a resource, serializing `address` deterministically (map entries sorted), so equal
/// resources have equal bytes.
address_ptr make_resource(std::string name, const istio::workload::Address& address);

/// Builds a resource in place: `fill(address)` writes the Address of the new resource and returns
/// whether there is one (false: nullptr is returned). Saves building a message aside and copying
/// it onto the resource's arena.
template <class Fill>
address_ptr build_resource(std::string name, Fill&& fill) {
  auto r = std::make_shared<address_resource>();
  if (!std::forward<Fill>(fill)(r->mutable_address()))
    return nullptr;
  r->name = std::move(name);
  serialize_address(r->address, r->bytes);
  return r;
}

} // namespace ambient::mesh

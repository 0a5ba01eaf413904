#include "mesh/resource.hpp"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

namespace ambient::mesh {

namespace {

/// The arena's blocks: the first is `block` (the resource's own); anything more grows in 1 KiB
/// steps rather than doubling, so an outsized resource wastes little.
google::protobuf::ArenaOptions arena_options(char* block, size_t size) {
  google::protobuf::ArenaOptions o;
  o.initial_block = block;
  o.initial_block_size = size;
  o.start_block_size = 1024;
  o.max_block_size = 1024;
  return o;
}

} // namespace

address_resource::address_resource()
  : arena_(arena_options(first_block_, sizeof first_block_)),
    message_(google::protobuf::Arena::CreateMessage<istio::workload::Address>(&arena_)),
    address(*message_) {
  // nop
}

void serialize_address(const istio::workload::Address& address, std::string& out) {
  // Sized first, so the bytes are written into one exact allocation instead of a growing string.
  auto size = address.ByteSizeLong();
  out.resize(size);
  google::protobuf::io::ArrayOutputStream stream{out.data(), static_cast<int>(size)};
  google::protobuf::io::CodedOutputStream coded{&stream};
  coded.SetSerializationDeterministic(true);
  address.SerializeWithCachedSizes(&coded);
}

address_ptr make_resource(std::string name, const istio::workload::Address& address) {
  return build_resource(std::move(name), [&address](istio::workload::Address& a) {
    a = address;
    return true;
  });
}

} // namespace ambient::mesh

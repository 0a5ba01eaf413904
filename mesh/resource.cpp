#include "mesh/resource.hpp"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

namespace ambient::mesh {

address_ptr make_resource(std::string name, istio::workload::Address address) {
  auto r = std::make_shared<address_resource>();
  r->name = std::move(name);
  r->address = std::move(address);
  {
    google::protobuf::io::StringOutputStream stream{&r->bytes};
    google::protobuf::io::CodedOutputStream coded{&stream};
    coded.SetSerializationDeterministic(true);
    r->address.SerializeToCodedStream(&coded);
  }
  return r;
}

} // namespace ambient::mesh

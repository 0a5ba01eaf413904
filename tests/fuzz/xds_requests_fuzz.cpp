// Fuzzes the xDS session state machines as ambientd's publisher drives them: a sequence of
// DeltaDiscoveryRequest / DiscoveryRequest protos (converted as the gRPC layer converts them)
// interleaved with changes to the Address table, each followed by the response the stream would
// be sent. Checks the response invariants the clients rely on. Input: ops, each one byte of kind
// then its operand (a length-prefixed proto, or a resource name and an IP byte).
#include <algorithm>
#include <string>
#include <vector>

#include "mesh/context.hpp"
#include "mesh/resource.hpp"
#include "tests/fuzz/fuzz_input.hpp"
#include "xds/ads_server.hpp"
#include "xds/delta_session.hpp"
#include "xds/publisher_tables.hpp"
#include "xds/sotw_session.hpp"
#include "xds/type_urls.hpp"

using namespace ambient;

namespace {

void check(bool ok) {
  if (!ok)
    __builtin_trap();
}

template <class Entries>
void check_sorted_unique(const Entries& resources) {
  for (size_t i = 1; i < resources.size(); ++i)
    check(resources[i - 1]->name < resources[i]->name);
}

/// A request proto of `in.byte()` bytes (one that does not parse is an empty request).
template <class Proto>
Proto read_request(fuzz::input& in) {
  size_t n = in.byte();
  auto bytes = in.take(n);
  Proto proto;
  if (!proto.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    proto.Clear();
  return proto;
}

mesh::address_ptr workload(std::string uid, uint8_t ip, std::string_view service) {
  istio::workload::Address a;
  auto* w = a.mutable_workload();
  w->set_uid(uid);
  w->set_network("net1");
  w->add_addresses(std::string{'\x0a', '\0', '\0', static_cast<char>(ip)});
  if (!service.empty())
    (*w->mutable_services())[std::string{service}].add_ports()->set_service_port(80);
  return mesh::make_resource(std::move(uid), std::move(a));
}

mesh::address_ptr service(std::string key, uint8_t vip) {
  istio::workload::Address a;
  auto* s = a.mutable_service();
  s->set_name(key);
  s->set_namespace_("demo");
  s->set_hostname(key);
  auto* addr = s->add_addresses();
  addr->set_network("net1");
  addr->set_address(std::string{'\x0a', '\x60', '\0', static_cast<char>(vip)});
  return mesh::make_resource(std::move(key), std::move(a));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::input in{data, size};
  xds::resource_table table{std::string{xds::address_type_url}, 8}; // a short log: resyncs too
  xds::delta_session delta{std::string{xds::address_type_url}};
  xds::sotw_session sotw{std::string{xds::address_type_url}};
  uint64_t version = 0;
  for (int ops = 0; !in.empty() && ops < 64; ++ops) {
    switch (in.byte() % 5) {
      case 0: { // a delta request
        delta.on_request(xds::to_delta_request(read_request<xds::delta_request_proto>(in)));
        if (auto r = delta.next_response(table)) {
          check_sorted_unique(r->resources);
          check(std::is_sorted(r->removed.begin(), r->removed.end()));
          check(!r->nonce.empty());
          for (const auto& e : r->resources)
            check(!std::binary_search(r->removed.begin(), r->removed.end(), e->name));
        }
        break;
      }
      case 1: { // a state-of-the-world request
        sotw.on_request(xds::to_sotw_request(read_request<xds::sotw_request_proto>(in)));
        if (auto r = sotw.next_response(table)) {
          check_sorted_unique(r->resources);
          check(!r->nonce.empty());
        }
        break;
      }
      case 2: { // a workload upserted (name and IP from the input, maybe a member of a service)
        auto name = std::string{in.take(in.byte() % 8)};
        auto ip = in.byte();
        auto svc = (ip & 1) ? std::string_view{"s1"} : std::string_view{};
        mesh::mesh_delta d;
        d.version = ++version;
        d.upserted.push_back(workload("w" + name, ip, svc));
        xds::apply_addresses(table, d);
        break;
      }
      case 3: { // a service upserted
        mesh::mesh_delta d;
        d.version = ++version;
        d.upserted.push_back(service("s" + std::string{in.take(in.byte() % 4)}, in.byte()));
        xds::apply_addresses(table, d);
        break;
      }
      default: { // a resource removed
        mesh::mesh_delta d;
        d.version = ++version;
        auto prefix = (in.byte() & 1) ? "w" : "s";
        d.removed.push_back(prefix + std::string{in.take(in.byte() % 8)});
        xds::apply_addresses(table, d);
        break;
      }
    }
    // Between requests the publisher pumps the stream whenever the table moved.
    if (auto r = delta.next_response(table))
      check_sorted_unique(r->resources);
    (void)sotw.next_response(table);
  }
  return 0;
}

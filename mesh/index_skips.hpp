#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

/// What the ambient index leaves out of an object it otherwise uses, because that part is not
/// valid input: counted per reason, and a bounded list of notes for the log. A real API server's
/// validation keeps most of these out; hand-made or foreign objects can still carry them.
namespace ambient::mesh {

enum class skip_reason : uint8_t {
  slice_fqdn,                ///< an FQDN EndpointSlice (istiod ignores these)
  slice_address_type,        ///< an addressType other than IPv4, IPv6 or FQDN
  slice_port_incomplete,     ///< a slice port without a name, a port number or a protocol
  endpoint_no_address,       ///< an endpoint without addresses
  endpoint_bad_address,      ///< an endpoint address that is not an IP address
  endpoint_repeated_address, ///< a slice listing the same first address twice
  gateway_address_type,      ///< a Gateway status address of a type other than IPAddress/Hostname
  policy_not_enforced,   ///< an AuthorizationPolicy ztunnel gets nothing for (AUDIT, CUSTOM, ...)
  policy_fields_dropped, ///< an AuthorizationPolicy sent without the HTTP fields ztunnel ignores
  waypoint_not_ready,    ///< an object names a waypoint that does not exist or has no status yet
  waypoint_attachment_denied,  ///< an object names a waypoint whose allowedRoutes refuse it
  waypoint_traffic_type,       ///< an object names a waypoint whose waypoint-for excludes its kind
  waypoint_no_address,         ///< a waypoint without a usable status address
  waypoint_bad_address,        ///< a waypoint IPAddress status address that is not an IP
  waypoint_binding_annotation, ///< a waypoint-inbound-binding annotation istiod refuses
  waypoint_class_missing,      ///< a waypoint whose GatewayClass the config cluster lacks
  waypoint_bad_selector,       ///< an allowedRoutes namespace selector that is not valid
  waypoint_self_reference,     ///< a waypoint's own Service bound to that waypoint
};
inline constexpr size_t skip_reason_count = 18;

/// The metric label and log word of a reason, e.g. "slice_fqdn".
std::string_view skip_reason_name(skip_reason r);

/// Whether the reason is a waypoint binding that failed (the object is sent whole, without a
/// waypoint) rather than a part of the object left out.
inline bool skip_is_binding(skip_reason r) {
  return r == skip_reason::waypoint_not_ready || r == skip_reason::waypoint_attachment_denied
         || r == skip_reason::waypoint_traffic_type;
}

/// One skip, for the log: the reason, where (cluster, and "namespace/name") and what was wrong.
struct skip_note {
  skip_reason reason{};
  std::string cluster, object, detail;
};

using skip_counts = std::array<uint64_t, skip_reason_count>;

/// Skips counted, and the notes not yet taken: at most max_notes wait, the counts keep counting
/// beyond that.
class skip_log {
public:
  static constexpr size_t max_notes = 64;

  void add(skip_reason r, std::string cluster, std::string object, std::string detail = {});
  /// Adds what another log counted and noted.
  void add_all(const skip_counts& counts, std::vector<skip_note> notes);
  /// The counts since the last take, and the notes; both start again from zero.
  std::pair<skip_counts, std::vector<skip_note>> take();
  /// The notes since the last take_notes (or take); the counts stay.
  std::vector<skip_note> take_notes();
  const skip_counts& counts() const {
    return counts_;
  }

private:
  skip_counts counts_{};
  std::vector<skip_note> notes_;
};

} // namespace ambient::mesh

#include "mesh/index_skips.hpp"

#include <utility>

namespace ambient::mesh {

std::string_view skip_reason_name(skip_reason r) {
  switch (r) {
    case skip_reason::slice_fqdn:
      return "slice_fqdn";
    case skip_reason::slice_address_type:
      return "slice_address_type";
    case skip_reason::slice_port_incomplete:
      return "slice_port_incomplete";
    case skip_reason::endpoint_no_address:
      return "endpoint_no_address";
    case skip_reason::endpoint_bad_address:
      return "endpoint_bad_address";
    case skip_reason::endpoint_repeated_address:
      return "endpoint_repeated_address";
    case skip_reason::gateway_address_type:
      return "gateway_address_type";
    case skip_reason::policy_not_enforced:
      return "policy_not_enforced";
    case skip_reason::policy_fields_dropped:
      return "policy_fields_dropped";
    case skip_reason::waypoint_not_ready:
      return "waypoint_not_ready";
    case skip_reason::waypoint_attachment_denied:
      return "waypoint_attachment_denied";
    case skip_reason::waypoint_traffic_type:
      return "waypoint_traffic_type";
    case skip_reason::waypoint_no_address:
      return "waypoint_no_address";
    case skip_reason::waypoint_bad_address:
      return "waypoint_bad_address";
    case skip_reason::waypoint_binding_annotation:
      return "waypoint_binding_annotation";
    case skip_reason::waypoint_class_missing:
      return "waypoint_class_missing";
    case skip_reason::waypoint_bad_selector:
      return "waypoint_bad_selector";
    case skip_reason::waypoint_self_reference:
      return "waypoint_self_reference";
  }
  return "unknown";
}

void skip_log::add(skip_reason r, std::string cluster, std::string object, std::string detail) {
  ++counts_[static_cast<size_t>(r)];
  if (notes_.size() < max_notes)
    notes_.push_back({r, std::move(cluster), std::move(object), std::move(detail)});
}

void skip_log::add_all(const skip_counts& counts, std::vector<skip_note> notes) {
  for (size_t i = 0; i < counts.size(); ++i)
    counts_[i] += counts[i];
  for (auto& n : notes)
    if (notes_.size() < max_notes)
      notes_.push_back(std::move(n));
}

std::pair<skip_counts, std::vector<skip_note>> skip_log::take() {
  return {std::exchange(counts_, {}), std::exchange(notes_, {})};
}

std::vector<skip_note> skip_log::take_notes() {
  return std::exchange(notes_, {});
}

} // namespace ambient::mesh

#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "xds/resource_table.hpp"
#include "xds/session_base.hpp"

namespace ambient::xds {

/// A (state-of-the-world) DiscoveryRequest, as far as the session cares.
struct sotw_request {
  std::string type_url;
  std::string version_info; ///< the last version the client accepted
  std::vector<std::string> resource_names;
  std::string response_nonce;
  bool has_error = false; ///< error_detail was set: a NACK
  std::string error_message;
};

/// A DiscoveryResponse to send: every subscribed resource that exists, sorted by name.
struct sotw_response {
  std::vector<entry_ptr> resources;
  std::string version_info; ///< the table version
  std::string nonce;
};

/// The state of one type on one state-of-the-world xDS stream (LDS/RDS/CDS/EDS for proxyless gRPC
/// and Envoy), pure: requests in, responses out, computed from a resource_table when the stream
/// can take one; nothing is queued, so table changes coalesce.
///
/// Rules (envoy xds_protocol.rst; go-control-plane pkg/server/sotw/v3 and stream/v3):
/// - every response holds the full set of subscribed resources of the type (what LDS and CDS
///   require; for RDS and EDS a superset of what is needed), version_info = table version;
/// - the request's resource_names replace the subscription; "*" means every resource; a first
///   request naming nothing is the legacy wildcard for types that support it (LDS, CDS), and stays
///   one while requests keep naming nothing; once names were given, an empty list means none;
/// - a request whose response_nonce is not the latest one sent is stale and ignored entirely
///   (the SotW rule; an error in it is still counted);
/// - the first request always gets a response (its version_info may come from another server,
///   so it is not trusted); a subscription change gets one; table changes to subscribed
///   resources get one; an ACK or NACK alone gets none, and a NACKed version is not resent;
/// - names that do not exist are left out (SotW has no "does not exist" signal) and sent when
///   they appear.
class sotw_session : public session_base {
public:
  using session_base::session_base;

  /// Takes a request of this stream: subscription, ACK/NACK.
  request_outcome on_request(const sotw_request& r);

  /// The response the client needs now given `table` (same type URL), or nullopt when it is up
  /// to date. Marks what it returns as sent: call it when the stream can write.
  std::optional<sotw_response> next_response(const resource_table& table);

  /// The version_info of the client's last ACK ("" before one).
  const std::string& acked_version() const {
    return acked_version_;
  }

private:
  bool set_names(const std::vector<std::string>& names);

  bool legacy_active_ = false; ///< wildcard only because nothing was ever named
  std::string acked_version_;
};

} // namespace ambient::xds

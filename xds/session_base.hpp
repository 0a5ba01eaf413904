#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "xds/ack_tracker.hpp"

namespace ambient::xds {

/// What the session of one type on one xDS stream keeps whatever the protocol variant (delta or
/// state of the world): its type URL, whether it is a wildcard, what the client has, the nonces
/// and ACKs, the table version it last answered from and whether it owes a response.
class session_base {
public:
  /// A session whose legacy wildcard (a first request naming nothing) follows
  /// supports_wildcard(type_url).
  explicit session_base(std::string type_url);
  /// A session with the legacy wildcard on or off.
  session_base(std::string type_url, bool legacy_wildcard);

  /// The type URL of the session's resources.
  const std::string& type_url() const {
    return type_url_;
  }
  /// Whether the client subscribed to every resource of the type.
  bool wildcard() const {
    return wildcard_;
  }
  /// The names the client subscribed to explicitly ("*" excluded; for delta, also on-demand
  /// keys).
  const std::set<std::string>& subscribed() const {
    return subscribed_;
  }
  /// What the client has, as far as the session knows: name → version (for state of the world,
  /// the resources of the last response).
  const std::map<std::string, std::string>& sent() const {
    return sent_;
  }
  /// Requests, responses, ACKs and NACKs so far.
  const session_stats& stats() const {
    return acks_.stats();
  }

protected:
  /// Starts on request `r` (a delta_request or sotw_request): false, with `out` saying
  /// wrong_type, when it names another type URL; else true, with its ACK or NACK recorded in
  /// `out`.
  template <class Request>
  bool begin_request(const Request& r, request_outcome& out) {
    if (!r.type_url.empty() && r.type_url != type_url_) {
      out.kind = request_kind::wrong_type;
      return false;
    }
    out.kind = acks_.on_request(r.response_nonce, r.has_error, r.error_message);
    out.rejected = r.has_error;
    return true;
  }

  std::string type_url_;
  bool legacy_wildcard_;
  bool initialized_ = false;
  bool wildcard_ = false;
  std::set<std::string> subscribed_;
  std::map<std::string, std::string> sent_;
  uint64_t synced_version_ = 0;
  bool reply_owed_ = false;
  ack_tracker acks_;
};

} // namespace ambient::xds

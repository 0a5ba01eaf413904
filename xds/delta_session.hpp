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

/// A DeltaDiscoveryRequest, as far as the session cares (the gRPC layer converts the proto).
struct delta_request {
  std::string type_url;
  std::vector<std::string> subscribe;
  std::vector<std::string> unsubscribe;
  /// Only honoured on the first request of the stream (a reconnecting client's cache).
  std::map<std::string, std::string> initial_resource_versions;
  /// The node metadata's NODE_NAME (empty when absent or not a string). Only honoured on the
  /// first request of the stream: ztunnel sends its node on the first request of each type.
  std::string node_name;
  std::string response_nonce;
  bool has_error = false; ///< error_detail was set: a NACK
  std::string error_message;
};

/// A DeltaDiscoveryResponse to send: resources sorted by name, removed names sorted.
struct delta_response {
  std::vector<entry_ptr> resources;
  std::vector<std::string> removed;
  std::string nonce;
  std::string system_version; ///< the table version, for debugging only
  /// Whether the resources go out with their `aliases`: only to an on-demand (non-wildcard)
  /// session, as istiod sends them.
  bool with_aliases = false;
};

/// The state of one type on one delta (incremental) xDS stream, pure: requests in, responses out,
/// computed from a resource_table when the stream can take one. The session never queues
/// responses: between two responses it keeps only the subscription and what the client has
/// (name → version), so many table changes coalesce into one response with the latest state.
///
/// Rules (envoy xds_protocol.rst "Incremental xDS"; go-control-plane pkg/server/stream/v3
/// subscription.go; istiod pilot/pkg/xds/delta.go and workload.go):
/// - wildcard: "*" subscribes to every resource of the type; unsubscribing "*" ends it; a first
///   request naming nothing is a (legacy) wildcard for types that support it, which lasts until
///   the client subscribes to a name (the wildcard then stays until "*" is unsubscribed);
/// - names: a subscribed name is answered even if the client had it ("it may have forgotten");
///   one that does not exist comes back in `removed`, and is sent when it appears; for Address a
///   name may be any on-demand key (uid, "namespace/hostname", "network/ip"), answered with the
///   resources it resolves to (a service brings its workloads), followed as the table changes;
/// - unsubscribing a name drops it silently, except under a wildcard, where the resource is sent
///   again or reported removed; resources that only an unsubscribed key brought in (a service's
///   workloads) are reported removed; unsubscribing what was never subscribed is ignored;
/// - initial_resource_versions on the first request is what the client already has: resources
///   at that version are not resent, vanished ones (and ones the request unsubscribes) are
///   reported removed; on a non-wildcard session its names are also subscribed, as if in
///   resource_names_subscribe (istiod: subscribe ∪ initial_resource_versions − unsubscribe), so a
///   reconnecting on-demand ztunnel keeps getting what it had and learns which of it vanished; a
///   listed key that still resolves (a "network/ip" alias) is answered by its resources, not
///   reported removed;
/// - node-local push (istiod's AdditionalPodSubscriptions): a non-wildcard session whose first
///   request's node names a NODE_NAME also gets every workload whose `node` is that node,
///   unasked, followed as such workloads appear, change, leave the node or vanish (the last two
///   reported removed unless a subscribed key still covers them; istiod instead keeps whatever
///   it sent an on-demand client subscribed for good, so it reports such a workload removed
///   only when it is deleted — the same holds for a service key's workloads);
/// - `aliases` go out only on a non-wildcard session (istiod: only its on-demand generator sets
///   them);
/// - the first request and every request that subscribes names get a response, even an empty
///   one (as istiod does; the client waits for it); a request that only unsubscribes gets one
///   when there is something to say; an ACK or NACK alone gets none; a NACK is counted and its
///   error kept, and the rejected versions are not resent (newer versions are);
/// - nonces are "1", "2", ... per session, i.e. per type on a stream (clients match them per
///   type URL);
/// - a stale nonce is not an ACK or NACK, but the subscription changes it carries apply (envoy:
///   "the server must honor changes to the subscription state even if the nonce is stale"; as
///   go-control-plane does; istiod instead drops such requests).
class delta_session : public session_base {
public:
  using session_base::session_base;

  /// Takes a request of this stream: subscription changes, ACK/NACK.
  request_outcome on_request(const delta_request& r);

  /// The response the client needs now given `table` (same type URL), or nullopt when it is up
  /// to date. Marks what it returns as sent: call it when the stream can write.
  std::optional<delta_response> next_response(const resource_table& table);

private:
  void subscribe(const std::string& name, bool first, request_outcome& out);
  void unsubscribe(const std::string& name, request_outcome& out);
  /// Subscribes the names of a non-wildcard first request's initial_resource_versions that it
  /// does not unsubscribe.
  void subscribe_initial(const delta_request& r, request_outcome& out);
  /// Whether `name`, which is not a resource of `table`, is a subscribed key that resolves to
  /// some: the client holds the key (an alias it demanded), answered by those resources.
  bool answered_key(const std::string& name, const resource_table& table) const;
  std::set<std::string> resolve_interest(const resource_table& table) const;
  /// The full evaluation of a wildcard session: sends what the client lacks or has at another
  /// version, removes what the table no longer holds; rebuilds sent_.
  void merge_full_wildcard(const resource_table& table, std::vector<entry_ptr>& resources,
                           std::set<std::string>& removed);

  /// Resource names the explicit keys resolved to at synced_version_.
  std::set<std::string> interest_;
  /// Keys that need an answer in the next response; true: resend even what the client has.
  std::map<std::string, bool> must_answer_;
  /// Names the client unsubscribed since the last response: dropped without a removal.
  std::set<std::string> silent_drop_;
  /// The first request's NODE_NAME: whose workloads a non-wildcard session gets unasked.
  std::string node_name_;
  bool full_eval_ = false;
  bool interest_dirty_ = false;
};

} // namespace ambient::xds

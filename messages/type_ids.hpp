#pragma once

#include <string>
#include <vector>

#include <caf/type_id.hpp>

#include "messages/api.hpp"
#include "messages/auth.hpp"
#include "messages/cluster.hpp"
#include "messages/informer.hpp"
#include "messages/leader.hpp"
#include "messages/mesh.hpp"
#include "messages/xds.hpp"

/// The one type-ID block of ambientd: every message type and atom exchanged between actors.
/// Append only; the order defines the type IDs.
CAF_BEGIN_TYPE_ID_BLOCK(ambient, caf::first_custom_type_id)

// Local-only payloads (whitelisted as unsafe: they never cross a process boundary).
CAF_ADD_TYPE_ID(ambient, (ambient::messages::informer_batch_ptr))
CAF_ADD_TYPE_ID(ambient, (ambient::messages::informer_health))
CAF_ADD_TYPE_ID(ambient, (ambient::messages::watch_data))
CAF_ADD_TYPE_ID(ambient, (ambient::messages::cluster_state_report))
CAF_ADD_TYPE_ID(ambient, (ambient::messages::cluster_batch))
CAF_ADD_TYPE_ID(ambient, (ambient::messages::remote_secret_update))
CAF_ADD_TYPE_ID(ambient, (ambient::messages::remote_secret_deleted))
CAF_ADD_TYPE_ID(ambient, (ambient::messages::cluster_store_status))

/// Asks an actor for its status report.
CAF_ADD_ATOM(ambient, ambient::atom, status, "status")
/// Periodic or delayed self-message carrying a generation number.
CAF_ADD_ATOM(ambient, ambient::atom, timer, "timer")
/// Periodic self-message (liveness checks, sampling).
CAF_ADD_ATOM(ambient, ambient::atom, tick, "tick")

CAF_ADD_TYPE_ID(ambient, (ambient::messages::remote_cluster_status))
CAF_ADD_TYPE_ID(ambient, (ambient::messages::cluster_withdrawn))
CAF_ADD_TYPE_ID(ambient, (ambient::messages::mesh_delta_ptr))
CAF_ADD_TYPE_ID(ambient, (ambient::messages::aggregator_status))
/// Self-message: apply what the mailbox held so far and publish it.
CAF_ADD_ATOM(ambient, ambient::atom, flush, "flush")
CAF_ADD_TYPE_ID(ambient, (ambient::xds::stream_opened))
CAF_ADD_TYPE_ID(ambient, (ambient::xds::stream_request))
CAF_ADD_TYPE_ID(ambient, (ambient::xds::stream_written))
CAF_ADD_TYPE_ID(ambient, (ambient::xds::stream_closed))
CAF_ADD_TYPE_ID(ambient, (ambient::xds::sotw_stream_request))
CAF_ADD_TYPE_ID(ambient, (ambient::xds::stream_refused))
/// Asks the xDS publisher for its streams and tables (/debug/xds).
CAF_ADD_ATOM(ambient, ambient::atom, debug, "debug")
CAF_ADD_TYPE_ID(ambient, (ambient::messages::xds_status))
/// Asks the readiness aggregator for the merged view (/debug/workloads).
CAF_ADD_ATOM(ambient, ambient::atom, resources, "resources")
CAF_ADD_TYPE_ID(ambient, (ambient::messages::mesh_snapshot))
CAF_ADD_TYPE_ID(ambient, (ambient::messages::api_response))
CAF_ADD_TYPE_ID(ambient, (ambient::messages::leadership))
/// Asks the leader elector to give its lease up (shutdown); answered once the write ended.
CAF_ADD_ATOM(ambient, ambient::atom, release, "release")
/// cluster_store to itself, a second after a cluster synced: return freed memory to the OS.
CAF_ADD_ATOM(ambient, ambient::atom, trim, "trim")
/// cluster_store to the readiness aggregator: a cluster stale past --stale-cluster-limit.
CAF_ADD_TYPE_ID(ambient, (ambient::messages::cluster_suspended))
CAF_ADD_TYPE_ID(ambient, (ambient::messages::token_review_ask))
CAF_ADD_TYPE_ID(ambient, (ambient::messages::review_cluster_up))
CAF_ADD_TYPE_ID(ambient, (ambient::messages::review_cluster_down))
CAF_ADD_TYPE_ID(ambient, (ambient::messages::impersonation_ask))
CAF_ADD_TYPE_ID(ambient, (ambient::messages::ca_roots))
/// Asks the readiness aggregator for its waypoints and bindings (/debug/waypoints).
CAF_ADD_ATOM(ambient, ambient::atom, waypoints, "waypoints")
CAF_ADD_TYPE_ID(ambient, (ambient::messages::waypoint_report_ptr))

CAF_END_TYPE_ID_BLOCK(ambient)

#pragma once

#include <chrono>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <grpcpp/server.h>

namespace ambient::test {

/// Tears down an ADS server in front of an xds_publisher: shuts `server` down (2 s grace for open
/// streams), then ends `publisher` and waits until it is gone, since it uses the caller's metrics
/// registry until then.
inline void stop_server_and_publisher(caf::actor_system& sys, grpc::Server& server,
                                      const caf::actor& publisher) {
  server.Shutdown(std::chrono::system_clock::now() + std::chrono::seconds{2});
  caf::anon_send_exit(publisher, caf::exit_reason::user_shutdown);
  caf::scoped_actor self{sys};
  self->wait_for(publisher);
}

} // namespace ambient::test

#include "xds/grpc_lifetime.hpp"

#include <grpc/grpc.h>

namespace ambient::xds {

grpc_lifetime::grpc_lifetime() {
  grpc_init();
}

grpc_lifetime::~grpc_lifetime() {
  // Deprecated in favour of grpc_shutdown(), which may finish on a detached thread; this one runs
  // the shutdown here when it drops the last initialization, which is the point of this class.
  grpc_shutdown_blocking();
}

} // namespace ambient::xds

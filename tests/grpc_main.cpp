// The Catch2 runner of the test binaries that use gRPC: gRPC shuts down on main's thread after the
// last test, so none of its threads outlives the process unjoined (see xds/grpc_lifetime.hpp).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "xds/grpc_lifetime.hpp"

int main(int argc, char* argv[]) {
  ambient::xds::grpc_lifetime grpc;
  return Catch::Session().run(argc, argv);
}

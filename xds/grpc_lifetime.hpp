#pragma once

/// Who shuts gRPC down, and on which thread.
namespace ambient::xds {

/// Keeps gRPC's library initialized while it lives, and shuts gRPC down on the thread that
/// destroys it, joining gRPC's own threads (executor, timer manager) before it returns.
///
/// gRPC counts initializations, and whoever drops the count to zero runs the shutdown. When that
/// is one of gRPC's threads (a server or a stream released from a callback), gRPC 1.51 hands the
/// shutdown to a detached thread, which the process can outrun at exit: gRPC's threads are then
/// never joined (ThreadSanitizer reports them as leaked), and a shutdown is cut off half-way.
/// Declare one in main() before any other gRPC object. It then holds the last initialization, so
/// gRPC shuts down where it is destroyed, after everything else that used gRPC. Envoy does the same
/// (grpc/grpc#20303).
class grpc_lifetime {
public:
  grpc_lifetime();
  ~grpc_lifetime();
  grpc_lifetime(const grpc_lifetime&) = delete;
  grpc_lifetime& operator=(const grpc_lifetime&) = delete;
};

} // namespace ambient::xds

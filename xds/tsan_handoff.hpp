#pragma once

#if defined(AMBIENT_TSAN)
#include <sanitizer/tsan_interface.h>
#endif

namespace ambient::xds {

/// What gRPC guarantees a reactor, told to ThreadSanitizer: an operation (read, write, finish)
/// completes after it was started, so what the starting thread wrote before starting it is
/// visible to the callback that reports it done. gRPC keeps that order with locks inside its
/// uninstrumented libraries, which TSan cannot see; without these two calls it would report the
/// hand-off as a race, or it would have to be suppressed along with every real race beneath
/// gRPC's frames. Each operation kind gets its own address, so no more order is declared than
/// gRPC gives. Both are no-ops outside the TSan build (AMBIENT_TSAN).
inline void handoff_release([[maybe_unused]] const void* op) {
#if defined(AMBIENT_TSAN)
  __tsan_release(const_cast<void*>(op));
#endif
}

/// The callback side of handoff_release: called first thing in the completion callback.
inline void handoff_acquire([[maybe_unused]] const void* op) {
#if defined(AMBIENT_TSAN)
  __tsan_acquire(const_cast<void*>(op));
#endif
}

} // namespace ambient::xds

#pragma once

#include <cstdint>

namespace ambient::bench {

/// Seconds to move `bytes` through one TCP connection on 127.0.0.1 (a writer and a reader thread,
/// 256 KiB writes): the loopback byte limit xDS pushes are compared with.
double loopback_seconds(uint64_t bytes);

} // namespace ambient::bench

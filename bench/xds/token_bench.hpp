#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "mesh/resource.hpp"

namespace ambient::bench {

/// Issue 24's reconnect figure: `clients` ztunnel-like delta streams, one connection each,
/// connecting at once, and each one's time to its first Address response (the `view`), p50/p99,
/// (a) over plaintext, (b) over TLS with a bearer token each (N distinct tokens, cold review
/// cache: N TokenReviews against kube-sim) and (c) the same clients reconnecting (warm cache).
/// Prints "| xDS figure | value |" rows, and how many TokenReviews kube-sim served. `self` is this
/// binary (its --client mode runs the streams). A refused stream is opened again after 100 ms; a
/// pass gives up on clients without a response after 60 s. `deadline` is the token reviewer's
/// (ambientd's default: 5 s).
void run_token_bench(const std::string& self, int clients,
                     const std::vector<mesh::address_ptr>& view,
                     std::chrono::milliseconds deadline);

} // namespace ambient::bench

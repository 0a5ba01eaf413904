#pragma once

namespace ambient::bench {

/// The client side of xds_bench, run in its own process: N delta ADS streams (wildcard Address)
/// over C connections, driven by lines on stdin and reporting on stdout:
///   default: prints "ready" once every stream holds the view, "got <version>" once every stream
///            received a version, and on "dump" every "<version> <arrival ns>" then "end";
///   --full 1: prints "<start ns> <done ns> <bytes>" per stream once each got its first
///            response, then "retries R" if R streams ended before it (they are opened again
///            after 100 ms, as ztunnel reconnects, their time counted from the first start), then
///            "end"; with --give-up S, after S seconds it prints the lines it has, "retries R",
///            "unfinished U" (streams still without a response) and "end".
///   --stamps 1: as default, but on "dump" prints "<stamp> <arrival ns>" for every Workload whose
///            canonical revision is a kube-sim stamp ("s<cluster>-<n>"), per stream, then
///            "bytes B responses R", "serialize NS resources N" (protobuf's time to serialize
///            each distinct stamped Address once) and "end" (bench/harness's event → client
///            latency).
/// With --tls-ca FILE the connections are TLS, verifying the server as "localhost" against that
/// CA; with --tokens-file FILE stream i sends line i as `authorization: Bearer <token>`, and
/// --cluster-id ID as `clusterid` metadata (ztunnel's way in).
/// Arguments: --port P --streams N [--channels C] [--full 0|1] [--stamps 0|1] [--tls-ca FILE]
/// [--tokens-file FILE] [--cluster-id ID] [--give-up S].
int run_delta_fleet(int argc, char** argv);

} // namespace ambient::bench

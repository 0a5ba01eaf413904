#pragma once

#include <memory>
#include <string>

#include <curl/curl.h>

#include "kube/transport.hpp"
#include "kube/transport_client.hpp"

/// Internal to the transport: one request as a libcurl easy handle, from the options it is made
/// with to how the bytes it receives are framed into a response.
namespace ambient::kube {

/// One request of the transport, from start() to its on_done; owns its easy handle and lists.
struct request_state {
  transport::request_id id = 0;
  transport::client_id client = 0;
  std::string method, path, body;
  transport::data_fn on_data;
  transport::done_fn on_done;
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  curl_slist* connect_to = nullptr;
  std::string collected;
  bool too_large = false;
  size_t max_bytes = 0;
  bool stream_opened = false; ///< on_data was told the 2xx headers are in
};

/// Makes `r`'s easy handle for client `c`: URL (connecting to the server's address while TLS
/// checks `tls_server_name`), timeouts, TLS material, headers and body, and the write and header
/// callbacks that hand a 2xx stream's chunks to on_data and collect other bodies up to the limit.
/// The handle's private pointer and the callbacks' data are `r`, which must not move after this.
void prepare(request_state& r, client_state& c);

/// The end of a transfer that libcurl reports done with `result`: the HTTP status, or why there
/// is none (a too-large body, a transport error), and the collected body (moved out of `r`).
response_end end_of(request_state& r, CURLcode result);

/// Frees `r`'s easy handle (removing it from `multi` first) and header lists; idempotent.
void release(request_state& r, CURLM* multi);

} // namespace ambient::kube

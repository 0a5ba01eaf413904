#include "kube/curl_request.hpp"

#include <string_view>

namespace ambient::kube {

namespace {

size_t on_write(char* data, size_t, size_t n, void* user) {
  auto* r = static_cast<request_state*>(user);
  long status = 0;
  curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
  if (r->on_data && status >= 200 && status < 300) {
    r->on_data(std::string_view{data, n});
    return n;
  }
  if (r->collected.size() + n > r->max_bytes) {
    r->too_large = true;
    return 0; // aborts the transfer
  }
  r->collected.append(data, n);
  return n;
}

/// For streams: once a 2xx response's headers are complete (the blank line), tells on_data
/// with an empty chunk, so a watch that carries no event yet still counts as open.
size_t on_header(char* data, size_t, size_t n, void* user) {
  auto* r = static_cast<request_state*>(user);
  if (n <= 2 && !r->stream_opened && r->on_data && (n == 0 || data[0] == '\r' || data[0] == '\n')) {
    long status = 0;
    curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
    if (status >= 200 && status < 300) {
      r->stream_opened = true;
      r->on_data(std::string_view{});
    }
  }
  return n;
}

} // namespace

std::string host_port_of(const std::string& url) {
  auto start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  auto end = url.find('/', start);
  return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

void prepare(request_state& r, client_state& c) {
  r.easy = curl_easy_init();
  CURL* e = r.easy;
  std::string host = c.host_port;
  std::string url = c.settings.server + r.path;
  if (!c.settings.tls_server_name.empty()) {
    // Verify (and send SNI for) the configured name while connecting to the URL's address.
    auto port = host.substr(host.rfind(':') + 1);
    auto at = url.find(host);
    url.replace(at, host.size(), c.settings.tls_server_name + ":" + port);
    r.connect_to = curl_slist_append(
        nullptr, (c.settings.tls_server_name + ":" + port + ":" + host).c_str());
    curl_easy_setopt(e, CURLOPT_CONNECT_TO, r.connect_to);
  }
  curl_easy_setopt(e, CURLOPT_URL, url.c_str());
  curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r.method.c_str());
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS);
  curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
  curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(c.limits.connect_timeout.count()));
  if (!r.on_data)
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(c.limits.request_timeout.count()));
  if (c.settings.insecure_skip_tls_verify) {
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
  } else if (!c.settings.ca_pem.empty()) {
    curl_blob ca{c.settings.ca_pem.data(), c.settings.ca_pem.size(), CURL_BLOB_COPY};
    curl_easy_setopt(e, CURLOPT_CAINFO_BLOB, &ca);
  }
  if (!c.settings.client_cert_pem.empty()) {
    curl_blob cert{c.settings.client_cert_pem.data(), c.settings.client_cert_pem.size(),
                   CURL_BLOB_COPY};
    curl_blob key{c.settings.client_key_pem.data(), c.settings.client_key_pem.size(),
                  CURL_BLOB_COPY};
    curl_easy_setopt(e, CURLOPT_SSLCERT_BLOB, &cert);
    curl_easy_setopt(e, CURLOPT_SSLCERTTYPE, "PEM");
    curl_easy_setopt(e, CURLOPT_SSLKEY_BLOB, &key);
    curl_easy_setopt(e, CURLOPT_SSLKEYTYPE, "PEM");
  }
  r.headers = curl_slist_append(r.headers, "Accept: application/json");
  r.headers = curl_slist_append(r.headers, "User-Agent: ambientd");
  if (!c.auth_header.empty())
    r.headers = curl_slist_append(r.headers, c.auth_header.c_str());
  if (!r.body.empty() || r.method == "POST" || r.method == "PUT" || r.method == "PATCH") {
    r.headers = curl_slist_append(r.headers, r.method == "PATCH"
                                                 ? "Content-Type: application/merge-patch+json"
                                                 : "Content-Type: application/json");
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, r.body.c_str());
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, static_cast<long>(r.body.size()));
  }
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, r.headers);
  r.max_bytes = c.limits.max_response_bytes;
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &on_write);
  if (r.on_data) {
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, &r);
  }
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &r);
  curl_easy_setopt(e, CURLOPT_PRIVATE, &r);
}

response_end end_of(request_state& r, CURLcode result) {
  response_end end;
  long status = 0;
  curl_easy_getinfo(r.easy, CURLINFO_RESPONSE_CODE, &status);
  if (result == CURLE_OK) {
    end.status = static_cast<int>(status);
  } else if (r.too_large) {
    end.error = "response larger than " + std::to_string(r.max_bytes) + " bytes";
  } else {
    end.error = curl_easy_strerror(result);
    // A stream cut after a 2xx header is an HTTP-level end with a transport error.
    end.status = status >= 200 && status < 300 && r.on_data ? static_cast<int>(status) : 0;
  }
  end.body = std::move(r.collected);
  return end;
}

void release(request_state& r, CURLM* multi) {
  if (r.easy != nullptr) {
    curl_multi_remove_handle(multi, r.easy);
    curl_easy_cleanup(r.easy);
    r.easy = nullptr;
  }
  curl_slist_free_all(r.headers);
  curl_slist_free_all(r.connect_to);
  r.headers = r.connect_to = nullptr;
}

} // namespace ambient::kube

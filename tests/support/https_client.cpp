#include "support/https_client.hpp"

#include <curl/curl.h>

namespace ambient::test {

namespace {

struct curl_handle {
  CURL* h = curl_easy_init();
  curl_slist* headers = nullptr;
  ~curl_handle() {
    curl_slist_free_all(headers);
    curl_easy_cleanup(h);
  }
};

void setup(curl_handle& c, const https_client& cl, const std::string& url) {
  curl_easy_setopt(c.h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c.h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c.h, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
  curl_blob ca{const_cast<char*>(cl.ca_pem.data()), cl.ca_pem.size(), CURL_BLOB_COPY};
  curl_easy_setopt(c.h, CURLOPT_CAINFO_BLOB, &ca);
  if (!cl.client_cert_pem.empty()) {
    curl_blob cert{const_cast<char*>(cl.client_cert_pem.data()), cl.client_cert_pem.size(),
                   CURL_BLOB_COPY};
    curl_blob key{const_cast<char*>(cl.client_key_pem.data()), cl.client_key_pem.size(),
                  CURL_BLOB_COPY};
    curl_easy_setopt(c.h, CURLOPT_SSLCERT_BLOB, &cert);
    curl_easy_setopt(c.h, CURLOPT_SSLCERTTYPE, "PEM");
    curl_easy_setopt(c.h, CURLOPT_SSLKEY_BLOB, &key);
    curl_easy_setopt(c.h, CURLOPT_SSLKEYTYPE, "PEM");
  }
  if (!cl.token.empty())
    c.headers = curl_slist_append(c.headers, ("Authorization: Bearer " + cl.token).c_str());
}

size_t append_body(char* data, size_t, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, n);
  return n;
}

size_t header_cb(char* data, size_t, size_t n, void* user) {
  std::string_view h{data, n};
  if (h.size() > 12 && (h.starts_with("Retry-After:") || h.starts_with("retry-after:"))) {
    auto v = h.substr(12);
    while (!v.empty() && (v.front() == ' '))
      v.remove_prefix(1);
    while (!v.empty() && (v.back() == '\r' || v.back() == '\n'))
      v.remove_suffix(1);
    *static_cast<std::string*>(user) = std::string{v};
  }
  return n;
}

struct watch_state {
  std::string partial;
  const std::function<bool(const std::string&)>* on_line;
  bool stop = false;
};

size_t watch_body(char* data, size_t, size_t n, void* user) {
  auto* st = static_cast<watch_state*>(user);
  st->partial.append(data, n);
  size_t pos;
  while ((pos = st->partial.find('\n')) != std::string::npos) {
    auto line = st->partial.substr(0, pos);
    st->partial.erase(0, pos + 1);
    if (!(*st->on_line)(line)) {
      st->stop = true;
      return 0; // abort the transfer
    }
  }
  return n;
}

} // namespace

https_client::response https_client::request(const std::string& method, const std::string& url,
                                             const std::string& body,
                                             const std::string& content_type) const {
  curl_handle c;
  setup(c, *this, url);
  response out;
  curl_easy_setopt(c.h, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(c.h, CURLOPT_TIMEOUT_MS, 30000L);
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    curl_easy_setopt(c.h, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(c.h, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    c.headers = curl_slist_append(c.headers, ("Content-Type: " + content_type).c_str());
  }
  curl_easy_setopt(c.h, CURLOPT_HTTPHEADER, c.headers);
  curl_easy_setopt(c.h, CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(c.h, CURLOPT_WRITEDATA, &out.body);
  curl_easy_setopt(c.h, CURLOPT_HEADERFUNCTION, header_cb);
  curl_easy_setopt(c.h, CURLOPT_HEADERDATA, &out.retry_after);
  auto rc = curl_easy_perform(c.h);
  if (rc != CURLE_OK) {
    out.error = curl_easy_strerror(rc);
    return out;
  }
  long status = 0;
  curl_easy_getinfo(c.h, CURLINFO_RESPONSE_CODE, &status);
  out.status = static_cast<int>(status);
  return out;
}

int https_client::watch(const std::string& url, std::chrono::milliseconds limit,
                        const std::function<bool(const std::string&)>& on_line,
                        std::string* error) const {
  curl_handle c;
  setup(c, *this, url);
  curl_easy_setopt(c.h, CURLOPT_HTTPHEADER, c.headers);
  curl_easy_setopt(c.h, CURLOPT_TIMEOUT_MS, static_cast<long>(limit.count()));
  watch_state st{{}, &on_line};
  curl_easy_setopt(c.h, CURLOPT_WRITEFUNCTION, watch_body);
  curl_easy_setopt(c.h, CURLOPT_WRITEDATA, &st);
  auto rc = curl_easy_perform(c.h);
  if (rc != CURLE_OK && !st.stop && error != nullptr)
    *error = curl_easy_strerror(rc);
  long status = 0;
  curl_easy_getinfo(c.h, CURLINFO_RESPONSE_CODE, &status);
  return static_cast<int>(status);
}

} // namespace ambient::test

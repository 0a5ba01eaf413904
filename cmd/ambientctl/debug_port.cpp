#include "cmd/ambientctl/debug_port.hpp"

#include <iostream>

#include <curl/curl.h>

namespace ambient::cmd {

bool is_host_port(std::string_view address) {
  if (address.empty() || address.find(':') == std::string_view::npos)
    return false;
  for (char c : address)
    if (c <= ' ' || c == '/' || c == '?' || c == '#' || c == '@' || c == '\\' || c == 0x7f)
      return false;
  return true;
}

std::string excerpt(std::string_view body) {
  std::string out;
  for (char c : body.substr(0, body.find('\n')).substr(0, 200))
    out.push_back(c >= 0x20 && c <= 0x7e ? c : '?');
  return out;
}

namespace {

constexpr size_t max_body_bytes = 64u << 20;
constexpr long request_timeout_ms = 5000;

/// libcurl write callback: appends to the body, aborting past max_body_bytes.
size_t collect(char* data, size_t size, size_t n, void* user) {
  auto* body = static_cast<std::string*>(user);
  if (body->size() + size * n > max_body_bytes)
    return 0; // aborts the transfer
  body->append(data, size * n);
  return size * n;
}

/// GETs http://ADDRESS/PATH from ambientd's debug port; the body, or an error message.
std::optional<std::string> http_get(const std::string& address, const std::string& path,
                                    std::string& error) {
  CURL* h = curl_easy_init();
  if (h == nullptr) {
    error = "cannot initialise libcurl";
    return std::nullopt;
  }
  std::string body;
  char curl_error[CURL_ERROR_SIZE] = {};
  const std::string url = "http://" + address + path;
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, request_timeout_ms);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http");
  curl_easy_setopt(h, CURLOPT_NOPROXY, "*"); // the debug port is reached directly
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, curl_error);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
  CURLcode rc = curl_easy_perform(h);
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(h);
  if (rc == CURLE_WRITE_ERROR) {
    error = "ambientd at " + address + " sent more than " + std::to_string(max_body_bytes >> 20)
            + " MiB for GET " + path;
    return std::nullopt;
  }
  if (rc != CURLE_OK) {
    error = "cannot reach ambientd at " + address + ": "
            + (curl_error[0] != '\0' ? curl_error : curl_easy_strerror(rc));
    return std::nullopt;
  }
  if (status != 200) {
    error = "ambientd at " + address + " answered GET " + path + " with HTTP "
            + std::to_string(status);
    if (auto text = excerpt(body); !text.empty())
      error += ": " + text;
    return std::nullopt;
  }
  return body;
}

} // namespace

std::optional<int> fetch(const std::string& address, const std::string& path, std::string& body) {
  if (!is_host_port(address)) {
    std::cerr << "ambientctl: --address must be HOST:PORT, not \"" << excerpt(address) << "\"\n";
    return 2;
  }
  std::string error;
  auto got = http_get(address, path, error);
  if (!got) {
    std::cerr << "ambientctl: " << error << '\n';
    return 1;
  }
  body = std::move(*got);
  return std::nullopt;
}

int print_result(const table_result& table, const std::string& address, const std::string& path) {
  if (!table.ok()) {
    std::cerr << "ambientctl: malformed " << path << " from ambientd at " << address << ": "
              << table.error << '\n';
    return 1;
  }
  std::cout << table.text;
  return 0;
}

} // namespace ambient::cmd

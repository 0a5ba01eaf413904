#include "support/http_get.hpp"

#include <array>
#include <cstdio>
#include <sys/wait.h>

#include <curl/curl.h>

namespace ambient::test {

namespace {

size_t append(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

} // namespace

http_result http_get(const std::string& url) {
  http_result out;
  CURL* curl = curl_easy_init();
  if (curl == nullptr) {
    out.error = "curl_easy_init failed";
    return out;
  }
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &out.body);
  auto rc = curl_easy_perform(curl);
  if (rc != CURLE_OK) {
    out.error = curl_easy_strerror(rc);
  } else {
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    out.status = static_cast<int>(status);
    char* type = nullptr;
    curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &type);
    if (type != nullptr)
      out.content_type = type;
  }
  curl_easy_cleanup(curl);
  return out;
}

command_result run_command(const std::string& command, const std::string& input_file) {
  command_result out;
  auto full = command + (input_file.empty() ? "" : " < '" + input_file + "'") + " 2>&1";
  FILE* p = ::popen(full.c_str(), "r");
  if (p == nullptr)
    return out;
  std::array<char, 4096> buf{};
  size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0)
    out.output.append(buf.data(), n);
  int status = ::pclose(p);
  if (status != -1 && WIFEXITED(status))
    out.exit_code = WEXITSTATUS(status);
  return out;
}

} // namespace ambient::test

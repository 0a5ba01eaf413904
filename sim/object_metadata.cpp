#include "sim/object_metadata.hpp"

#include <ctime>

#include "sim/pki.hpp"

namespace ambient::sim {

std::string rfc3339(std::chrono::system_clock::time_point t) {
  std::time_t secs
      = std::chrono::system_clock::to_time_t(std::chrono::floor<std::chrono::seconds>(t));
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string make_uid() {
  std::string h = random_hex(16);
  h[12] = '4';
  h[16] = "89ab"[h[16] % 4];
  return h.substr(0, 8) + '-' + h.substr(8, 4) + '-' + h.substr(12, 4) + '-' + h.substr(16, 4) + '-'
         + h.substr(20);
}

void begin_metadata(base::json_writer& w, const std::string& ns, const std::string& name,
                    std::chrono::system_clock::time_point created) {
  w.key("metadata").begin_object().member("name", name);
  if (!ns.empty())
    w.member("namespace", ns);
  w.member("uid", make_uid()).member("creationTimestamp", rfc3339(created));
}

} // namespace ambient::sim

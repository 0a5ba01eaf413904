#include "sim/admin_params.hpp"

#include "base/decimal.hpp"

#include "sim/json.hpp"

namespace ambient::sim {

std::optional<int64_t> query_int(const std::map<std::string, std::string>& q, const char* key,
                                 int64_t fallback) {
  auto it = q.find(key);
  if (it == q.end())
    return fallback;
  return base::parse_decimal<int64_t>(it->second);
}

admin_api::response admin_message(int status, std::string message) {
  auto body = R"({"message":)" + dump_json(message) + "}";
  return {status, body, "application/json"};
}

} // namespace ambient::sim

#include "sim/secret_data.hpp"

#include "base/base64.hpp"

namespace ambient::sim {

std::string fold_string_data(json& secret) {
  const auto* sd = find_path(secret, {"stringData"});
  if (sd == nullptr)
    return {};
  if (!sd->is_object())
    return "stringData: must be an object";
  auto folded = *sd;
  if (const auto* data = find_path(secret, {"data"}); data == nullptr || data->is_null())
    secret["data"] = json::object();
  auto& data = secret["data"];
  if (!data.is_object())
    return "data: must be an object";
  for (const auto& [key, value] : folded.items()) {
    if (!value.is_string())
      return "stringData." + key + ": must be a string";
    data[key] = base::encode_base64(value.get_ref<const std::string&>());
  }
  secret.erase("stringData");
  return {};
}

} // namespace ambient::sim

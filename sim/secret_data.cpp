#include "sim/secret_data.hpp"

#include "sim/pki.hpp"

namespace ambient::sim {

std::string fold_string_data(json_value& secret) {
  const auto* sd = secret.find("stringData");
  if (sd == nullptr)
    return {};
  if (!sd->is_object())
    return "stringData: must be an object";
  auto folded = *sd;
  if (secret.find("data") == nullptr || secret.find("data")->is_null())
    secret.set("data", json_value::object());
  auto& data = secret["data"];
  if (!data.is_object())
    return "data: must be an object";
  for (const auto& [key, value] : folded.members()) {
    if (!value.is_string())
      return "stringData." + key + ": must be a string";
    data.set(key, json_value::string(base64_encode(value.as_string())));
  }
  secret.erase("stringData");
  return {};
}

} // namespace ambient::sim

#include "sim/request_body.hpp"

#include "sim/protobuf_body.hpp"

namespace ambient::sim {

std::optional<json> parse_request_body(const api_request& req, api_error* error) {
  std::string why;
  if (is_kubernetes_protobuf(req.content_type)) {
    auto v = decode_kubernetes_protobuf(req.body, &why);
    if (!v && error != nullptr)
      *error = {415, "UnsupportedMediaType", why, {}, {}};
    return v;
  }
  auto v = parse_json(req.body, &why);
  if (!v && error != nullptr)
    *error = {400, "BadRequest", "the request body is not valid JSON: " + why, {}, {}};
  return v;
}

} // namespace ambient::sim

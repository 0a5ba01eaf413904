#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sim/json.hpp"

namespace ambient::sim {

/// True for Kubernetes' protobuf media type (kubectl's typed `create secret|configmap|namespace`
/// and `create token` send it).
bool is_kubernetes_protobuf(std::string_view content_type);

/// Decodes a request body in Kubernetes' protobuf envelope ("k8s\0" + runtime.Unknown) into the
/// equivalent JSON object, for the kinds kubectl creates this way: Secret, ConfigMap, Namespace
/// (metadata name, generateName, namespace, labels, annotations; data, stringData, binaryData,
/// type, immutable), and authentication.k8s.io/v1 TokenRequest and TokenReview (their spec),
/// which `kubectl create token` and typed clients send. Other kinds and malformed input give
/// nullopt with *error set.
std::optional<json> decode_kubernetes_protobuf(std::string_view body, std::string* error);

} // namespace ambient::sim

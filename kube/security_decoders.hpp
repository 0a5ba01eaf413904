#pragma once

#include <string_view>

#include "kube/decode.hpp"
#include "kube/security_objects.hpp"

/// Decoders of security.istio.io/v1 AuthorizationPolicy and PeerAuthentication objects from the
/// API server's JSON, with the rules of kube/decode.hpp: untrusted input, every failure a
/// decode_error naming the object and the field, unknown fields ignored (istiod ignores them too).
/// The API server's admission checks would reject some of what fails here; ambientd still must
/// not trust them.
namespace ambient::kube {

/// Decodes one AuthorizationPolicy (a watch event's object or a list item, alone). Checks "kind"
/// if present; requires metadata.name.
decoded<authorization_policy> decode_authorization_policy(std::string_view json,
                                                          const decode_limits& limits = {});

/// Decodes one PeerAuthentication. Checks "kind" if present; requires metadata.name. A mode other
/// than UNSET, DISABLE, PERMISSIVE or STRICT, or a portLevelMtls key that is not a port (1 to
/// 65535), is a bad_field.
decoded<peer_authentication> decode_peer_authentication(std::string_view json,
                                                        const decode_limits& limits = {});

} // namespace ambient::kube

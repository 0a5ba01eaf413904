#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ca/issuer.hpp"
#include "ca/signing_bundle.hpp"

namespace ambient::ca {

/// The TLS listener's certificate as the CA issued it, and when it stops being valid.
struct issued_serving_cert {
  serving_cert cert;
  std::chrono::system_clock::time_point not_before, not_after;
};

/// What the CA keeper does after a check; every field is optional.
struct keeper_step {
  /// A new bundle to sign with (its material changed and it loads): install it in the signer.
  std::shared_ptr<const signing_bundle> install;
  /// A new certificate for the TLS listener (renewed at half life, or issued by a new signing
  /// certificate): write its files. The CA bundle for client certificates is `listener_roots`.
  std::optional<issued_serving_cert> serving;
  /// The trusted roots changed (a rotation step): write the listener's CA bundle and publish them
  /// to every namespace.
  std::optional<std::string> listener_roots;
  /// Why changed material was refused (the bundle in use is kept), for the log; "" when not.
  std::string refused;
  /// Why the listener's certificate could not be issued (it is tried again at the next check).
  std::string renewal_error;
};

/// The CA keeper's decisions (istiod's keycertbundle watcher and its self-signed root rotator,
/// without the file watching): given the CA's material as read again from its source (the
/// plugged-in `cacerts` files or the `istio-ca-secret` data), it decides whether the signer gets
/// a new bundle, whether the TLS listener needs a new certificate, and whether the trusted roots
/// changed. Bad material is refused and the bundle in use kept. Pure: reading, writing and the
/// clock are the caller's.
class ca_keeper_core {
public:
  /// How the TLS listener's certificate is made, when the CA issues it.
  struct serving_params {
    std::vector<std::string> dns_names;
    std::chrono::seconds ttl{std::chrono::hours{24 * 365}};
  };

  /// `data` is the material `bundle` was loaded from; `serving` the listener's certificate when
  /// the CA issued it (none: the operator's files are served and never renewed here).
  ca_keeper_core(std::map<std::string, std::string> data,
                 std::shared_ptr<const signing_bundle> bundle, serving_params params,
                 std::optional<issued_serving_cert> serving);

  /// The material as just read again. Unchanged: nothing. Changed and loadable: a new bundle to
  /// install, new roots when root-cert.pem changed, and a new listener certificate when the
  /// signing certificate or its chain changed. Changed but not loadable: `refused`, nothing else.
  keeper_step on_material(const std::map<std::string, std::string>& data,
                          std::chrono::system_clock::time_point now);

  /// The periodic check: a new listener certificate once half of its life has passed.
  keeper_step on_tick(std::chrono::system_clock::time_point now);

  /// The bundle in use.
  const std::shared_ptr<const signing_bundle>& bundle() const {
    return bundle_;
  }

  /// When the listener's certificate is renewed next (none when the CA did not issue it).
  std::optional<std::chrono::system_clock::time_point> renew_at() const;

private:
  /// Issues a listener certificate from the bundle in use into `step`.
  void issue_serving(keeper_step& step, std::chrono::system_clock::time_point now);

  std::map<std::string, std::string> data_;
  std::shared_ptr<const signing_bundle> bundle_;
  serving_params params_;
  std::optional<issued_serving_cert> serving_;
};

/// Issues the TLS listener's certificate from `ca` (issue_serving_cert) with its validity times.
result<issued_serving_cert> issue_listener_cert(const signing_bundle& ca,
                                                const ca_keeper_core::serving_params& params,
                                                std::chrono::system_clock::time_point now);

} // namespace ambient::ca

#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "kube/decode.hpp"

/// The JSON reader under every decoder of kube/: simdjson On-Demand with field paths that are
/// rendered only when a decode fails, and readers that stop at the first failure. Internal to
/// kube/ (only decoders include it).
namespace ambient::kube::json {

namespace od = simdjson::ondemand;

/// One step of a field path, chained on the stack and rendered only when a decode fails.
struct path {
  enum step_t : uint8_t { root, field, index, key };
  const path* parent = nullptr;
  step_t step = root;
  std::string_view name;
  size_t pos = 0;

  path operator/(std::string_view field_name) const {
    return {this, field, field_name, 0};
  }
  path at(size_t i) const {
    return {this, index, {}, i};
  }
  path at_key(std::string_view k) const {
    return {this, key, k, 0};
  }
};

/// Renders a path as "status.podIPs[1].ip" or "metadata.labels[\"app\"]".
std::string render(const path& p);

/// The first failure of a decode.
struct failure {
  decode_errc code{};
  std::string where, what;
};

/// The state of one decode: readers return false once a failure is recorded.
struct ctx {
  std::optional<failure> failed;

  /// Records the failure; returns false so a reader can `return cx.fail(...)`.
  bool fail(decode_errc c, const path& p, std::string what);

  /// A simdjson error met at `p`: a value of another type than `expected`, or broken JSON.
  bool json_error(simdjson::error_code e, const path& p, std::string_view expected);
};

/// A parser and a padded copy of the input, lent to one decode at a time on a thread; a nested
/// decode gets a fresh one. What an unusually large input made it grow to is freed afterwards.
class scratch_lease {
public:
  scratch_lease();
  scratch_lease(const scratch_lease&) = delete;
  scratch_lease& operator=(const scratch_lease&) = delete;
  ~scratch_lease();

  /// Parses `json` (copied into padded scratch); the document lives as long as the lease.
  simdjson::error_code iterate(std::string_view json, od::document& doc);

private:
  struct scratch;
  std::unique_ptr<scratch> own_;
  scratch* s_ = nullptr;
};

/// Records "trailing content" when the document has anything after its top object.
void check_end(ctx& cx, od::document& doc);

/// Parses `json` as one object and calls `body(object, root_path)`; rejects anything but a single
/// JSON object. The document lives only during the call.
template <class F>
void with_document(ctx& cx, std::string_view json, F&& body) {
  scratch_lease s;
  const path root;
  od::document doc;
  if (auto e = s.iterate(json, doc)) {
    cx.json_error(e, root, "");
    return;
  }
  od::object top;
  if (auto e = doc.get_object().get(top)) {
    if (e == simdjson::INCORRECT_TYPE)
      cx.fail(decode_errc::malformed_json, root, "malformed JSON: not an object");
    else
      cx.json_error(e, root, "");
    return;
  }
  if (body(top, root))
    check_end(cx, doc);
}

/// The JSON type of `v`.
bool peek_type(ctx& cx, od::value& v, const path& p, od::json_type& t);

/// What a reader finds at a value: one of the type it wants, null (nothing to read: the target
/// keeps what it holds), or a failure (recorded in the ctx).
enum class presence : uint8_t { value, null, failed };

/// Peeks `v`'s type: `value` when it is `want`, `null` for null; anything else records "expected
/// <what>" (bad_field) and gives `failed`.
presence expect_type(ctx& cx, od::value& v, const path& p, od::json_type want,
                     std::string_view what);

/// Calls `f(key, value, path)` for each field of `obj`; stops at the first false.
template <class F>
bool fields_of(ctx& cx, od::object& obj, const path& p, F&& f) {
  for (auto field : obj) {
    std::string_view k;
    if (auto e = field.unescaped_key().get(k))
      return cx.json_error(e, p, "object");
    od::value v;
    if (auto e = field.value().get(v))
      return cx.json_error(e, p / k, "a value");
    if (!f(k, v, p / k))
      return false;
  }
  return true;
}

/// `v` as an object; anything else is a bad_field failure.
bool as_object(ctx& cx, od::value& v, const path& p, od::object& out);

/// As fields_of, for a value that must be an object or null (null has no fields).
template <class F>
bool each_field(ctx& cx, od::value& v, const path& p, F&& f) {
  if (auto got = expect_type(cx, v, p, od::json_type::object, "object"); got != presence::value)
    return got == presence::null;
  od::object obj;
  return as_object(cx, v, p, obj) && fields_of(cx, obj, p, f);
}

/// Calls `f(value, path)` for each element of an array (or of null: none); stops at the first
/// false.
template <class F>
bool each_element(ctx& cx, od::value& v, const path& p, F&& f) {
  if (auto got = expect_type(cx, v, p, od::json_type::array, "array"); got != presence::value)
    return got == presence::null;
  od::array arr;
  if (auto e = v.get_array().get(arr))
    return cx.json_error(e, p, "array");
  size_t i = 0;
  for (auto item : arr) {
    const path ip = p.at(i++);
    od::value ev;
    if (auto e = std::move(item).get(ev))
      return cx.json_error(e, ip, "a value");
    if (!f(ev, ip))
      return false;
  }
  return true;
}

/// Reads a string; null leaves `out` as it is.
bool read(ctx& cx, od::value& v, const path& p, std::string& out);

/// Reads a boolean; null leaves `out` as it is.
bool read(ctx& cx, od::value& v, const path& p, bool& out);

/// Reads a 32-bit integer; null leaves `out` as it is.
bool read(ctx& cx, od::value& v, const path& p, int32_t& out);

/// Reads a port number (0 to 65535).
bool read_port(ctx& cx, od::value& v, const path& p, int32_t& out);

/// Reads an array of strings.
bool read_strings(ctx& cx, od::value& v, const path& p, std::vector<std::string>& out);

/// Reads an array of objects, each with `read_one(cx, value, path, item)`.
template <class T, class F>
bool read_each(ctx& cx, od::value& v, const path& p, std::vector<T>& out, F read_one) {
  return each_element(cx, v, p, [&](od::value& ev, const path& ep) {
    T item{};
    if (!read_one(cx, ev, ep, item))
      return false;
    out.push_back(std::move(item));
    return true;
  });
}

/// Sorts pairs by key and keeps the last of duplicate keys (JSON's last-wins).
void normalize(std::vector<std::pair<std::string, std::string>>& m);

/// Reads an object of strings, sorted by key; `skip` names a key that is not kept (nor read).
bool read_map(ctx& cx, od::value& v, const path& p, string_map& out, std::string_view skip = {});

/// The parts of `metadata` only some kinds keep (Pods): read only where given.
struct meta_extras {
  std::vector<owner_ref>* owners = nullptr; ///< metadata.ownerReferences
  std::string* generate_name = nullptr;     ///< metadata.generateName
  int64_t* creation_seconds = nullptr;      ///< metadata.creationTimestamp (RFC 3339), in seconds
};

/// Reads `metadata`, and `extras` where given.
bool read_meta(ctx& cx, od::value& v, const path& p, object_meta& m, meta_extras extras = {});

/// The raw JSON of an object value, without trailing whitespace.
bool read_raw_object(ctx& cx, od::object& obj, const path& p, std::string& out);

/// Best effort: the namespace and name of an object whose decode failed, for the message.
void peek_identity(std::string_view json, std::string& ns, std::string& name);

/// "<what> <ns>/<name>: <field path>: <problem>", parts left out when unknown.
decode_error make_error(std::string_view what, std::string_view ns, std::string_view name,
                        const failure& f);

/// "<what>: N bytes exceed the limit of M".
decode_error too_large(std::string_view what, size_t size, const decode_limits& limits);

} // namespace ambient::kube::json

#include "kube/api_envelope.hpp"

#include <utility>

#include "kube/json_reader.hpp"
#include "kube/object_readers.hpp"
#include "kube/resource_kind.hpp"

namespace ambient::kube {

namespace {

using namespace json;

// -- Status -------------------------------------------------------------------------------------

constexpr std::string_view too_large_rv_message = "Too large resource version";

/// Servers before 1.17 said a resource version was too large only in the message of a Timeout.
void note_old_too_large(status_info& st) {
  if (st.reason == "Timeout" && st.message.find(too_large_rv_message) != std::string::npos)
    st.resource_version_too_large = true;
}

/// Reads `v` into `out` when it is of type `want`; anything else is skipped.
template <class T>
bool read_if(ctx& cx, od::value& v, const path& p, od::json_type want, T& out) {
  od::json_type t;
  if (!peek_type(cx, v, p, t))
    return false;
  return t != want || read(cx, v, p, out);
}

/// Reads a field of `t` as a string when it is one; anything else is skipped.
bool read_if_string(ctx& cx, od::value& v, const path& p, std::string& out) {
  return read_if(cx, v, p, od::json_type::string, out);
}

/// A Status's details: only whether a cause says the resource version is too large. Lenient:
/// the other fields, and anything of another shape, are skipped, so a watched object that happens
/// to have a top-level "details" still decodes.
bool read_status_details(ctx& cx, od::value& v, const path& p, status_info& st) {
  od::json_type t;
  if (!peek_type(cx, v, p, t))
    return false;
  if (t != od::json_type::object)
    return true;
  return each_field(cx, v, p, [&](std::string_view k, od::value& dv, const path& dp) {
    od::json_type dt;
    if (k != "causes")
      return true;
    if (!peek_type(cx, dv, dp, dt))
      return false;
    if (dt != od::json_type::array)
      return true;
    return each_element(cx, dv, dp, [&](od::value& cv, const path& cp) {
      od::json_type ct;
      if (!peek_type(cx, cv, cp, ct))
        return false;
      if (ct != od::json_type::object)
        return true;
      std::string reason, message;
      bool ok = each_field(cx, cv, cp, [&](std::string_view ck, od::value& fv, const path& fp) {
        if (ck == "reason")
          return read_if_string(cx, fv, fp, reason);
        if (ck == "message")
          return read_if_string(cx, fv, fp, message);
        return true;
      });
      if (reason == "ResourceVersionTooLarge" || message == too_large_rv_message)
        st.resource_version_too_large = true;
      return ok;
    });
  });
}

/// Reads field `k` of a Status into `st`: code, reason, message and details; other fields are
/// skipped. `lenient` (the object of a watch event, which may be of another kind with fields of
/// those names) skips a code, reason or message of another type too, as details always does.
bool read_status_field(ctx& cx, std::string_view k, od::value& v, const path& p, status_info& st,
                       bool lenient) {
  auto read_as = [&](od::json_type want, auto& out) {
    return lenient ? read_if(cx, v, p, want, out) : read(cx, v, p, out);
  };
  if (k == "code")
    return read_as(od::json_type::number, st.code);
  if (k == "reason")
    return read_as(od::json_type::string, st.reason);
  if (k == "message")
    return read_as(od::json_type::string, st.message);
  if (k == "details")
    return read_status_details(cx, v, p, st);
  return true;
}

// -- objects in envelopes -----------------------------------------------------------------------

/// The bytes from `start` to where the parser is now; 0 when unknown.
size_t consumed_since(od::value& v, const char* start) {
  const char* now = nullptr;
  if (start == nullptr || v.current_location().get(now) || now < start)
    return 0;
  return static_cast<size_t>(now - start);
}

/// Reads one object of kind `k` with the kind table's reader; field paths start at `root`. A
/// failure that leaves the JSON sound (a field of the wrong type) is the item's, once its name is
/// known; broken JSON, or a failure before the name, fails the envelope (false) when
/// `nameless_fails`.
bool read_item(ctx& cx, resource_kind k, od::value& v, const path& p, const path& root,
               const decode_limits& limits, bool nameless_fails, enveloped_object& out) {
  const char* start = nullptr;
  if (v.current_location().get(start))
    start = nullptr; // the size is then unknown and not checked
  od::object obj;
  if (!as_object(cx, v, p, obj))
    return false;
  ctx item;
  any_object o;
  bool ok = read_any(item, k, obj, root, o);
  const auto& meta = meta_of(o);
  if (!ok
      && (item.failed->code == decode_errc::malformed_json
          || (nameless_fails && meta.name.empty()))) {
    cx.failed = std::move(item.failed);
    return false;
  }
  out.key = meta.name.empty() ? std::string{} : object_key(meta);
  out.resource_version = meta.resource_version;
  if (!ok)
    out.error = make_error(kind_name(k), meta.namespace_, meta.name, *item.failed);
  else if (auto size = consumed_since(v, start); size > limits.max_object_bytes)
    out.error = too_large(std::string{kind_name(k)} + " " + out.key, size, limits);
  else
    out.object = std::move(o);
  return true;
}

/// Reads the "object" of a BOOKMARK, DELETED or ERROR event, or of an event whose type is not
/// known yet: its metadata, the Status fields (ignored when of another type, since other kinds may
/// have fields of those names) and, when asked, its raw JSON.
bool read_event_object(ctx& cx, od::value& v, const path& p, object_meta& meta, status_info& st,
                       std::string* raw) {
  od::object obj;
  if (!as_object(cx, v, p, obj))
    return false;
  bool ok = fields_of(cx, obj, p, [&](std::string_view k, od::value& fv, const path& fp) {
    if (k == "metadata")
      return read_meta(cx, fv, fp, meta);
    return read_status_field(cx, k, fv, fp, st, true);
  });
  return ok && (raw == nullptr || read_raw_object(cx, obj, p, *raw));
}

std::optional<watch_event_type> event_type_of(std::string_view s) {
  if (s == "ADDED")
    return watch_event_type::added;
  if (s == "MODIFIED")
    return watch_event_type::modified;
  if (s == "DELETED")
    return watch_event_type::deleted;
  if (s == "BOOKMARK")
    return watch_event_type::bookmark;
  if (s == "ERROR")
    return watch_event_type::error;
  return std::nullopt;
}

bool carries_object(std::optional<watch_event_type> t) {
  return t == watch_event_type::added || t == watch_event_type::modified;
}

} // namespace

std::optional<status_info> decode_status(std::string_view body) {
  if (body.size() > decode_limits{}.max_object_bytes)
    return std::nullopt;
  status_info st;
  std::string kind;
  ctx cx;
  with_document(cx, body, [&](od::object& top, const path& root) {
    return fields_of(cx, top, root, [&](std::string_view k, od::value& v, const path& p) {
      if (k == "kind")
        return read(cx, v, p, kind);
      return read_status_field(cx, k, v, p, st, false);
    });
  });
  if (cx.failed || (!kind.empty() && kind != "Status"))
    return std::nullopt;
  note_old_too_large(st);
  if (kind.empty() && st.code == 0 && st.message.empty())
    return std::nullopt;
  return st;
}

decoded<watch_event> decode_watch_event(resource_kind k, std::string_view line,
                                        const decode_limits& limits) {
  constexpr std::string_view what = "watch event";
  if (line.size() > limits.max_object_bytes)
    return too_large(what, line.size(), limits);
  watch_event ev;
  object_meta meta;
  std::string type, raw; // raw: the object's JSON, when it came before the event's type
  bool has_object = false, decoded_inline = false;
  ctx cx;
  with_document(cx, line, [&](od::object& top, const path& root) {
    return fields_of(cx, top, root, [&](std::string_view f, od::value& v, const path& p) {
      if (f == "type")
        return read(cx, v, p, type);
      if (f != "object")
        return true;
      has_object = true;
      auto t = event_type_of(type);
      if (carries_object(t)) {
        decoded_inline = true;
        return read_item(cx, k, v, p, p, limits, true, ev.item);
      }
      return read_event_object(cx, v, p, meta, ev.status, type.empty() ? &raw : nullptr);
    });
  });
  const path root;
  auto t = event_type_of(type);
  if (!cx.failed) {
    if (type.empty())
      cx.fail(decode_errc::missing_field, root / "type", "missing");
    else if (!t)
      cx.fail(decode_errc::bad_field, root / "type",
              "unknown watch event type \"" + type.substr(0, 32) + '"');
    else if (!has_object)
      cx.fail(decode_errc::missing_field, root / "object", "missing");
  }
  if (!cx.failed && !decoded_inline) {
    ev.item.key = meta.name.empty() ? std::string{} : object_key(meta);
    ev.item.resource_version = meta.resource_version;
    if (carries_object(t)) { // the object came first: decode it now
      auto o = decode_object(k, raw, limits);
      if (auto* e = std::get_if<decode_error>(&o))
        ev.item.error = std::move(*e);
      else
        ev.item.object = std::get<any_object>(std::move(o));
    }
  }
  if (!cx.failed) {
    if (*t == watch_event_type::bookmark && ev.item.resource_version.empty())
      cx.fail(decode_errc::missing_field, root / "object" / "metadata" / "resourceVersion",
              "missing");
    else if (*t != watch_event_type::bookmark && *t != watch_event_type::error
             && ev.item.key.empty())
      cx.fail(decode_errc::missing_field, root / "object" / "metadata" / "name", "missing");
    else
      ev.type = *t;
  }
  if (cx.failed) {
    const std::string label = std::string{what} + (type.empty() ? "" : " " + type.substr(0, 32));
    return make_error(label, meta.namespace_, meta.name, *cx.failed);
  }
  if (ev.type == watch_event_type::error)
    note_old_too_large(ev.status);
  return ev;
}

decoded<object_list> decode_list(resource_kind k, std::string_view body,
                                 const decode_limits& limits, size_t max_body_bytes) {
  constexpr std::string_view what = "list";
  if (body.size() > max_body_bytes)
    return too_large(what, body.size(), {max_body_bytes});
  object_list out;
  bool has_items = false;
  ctx cx;
  with_document(cx, body, [&](od::object& top, const path& root) {
    return fields_of(cx, top, root, [&](std::string_view f, od::value& v, const path& p) {
      if (f == "metadata") {
        return each_field(cx, v, p, [&](std::string_view mk, od::value& mv, const path& mp) {
          if (mk == "resourceVersion")
            return read(cx, mv, mp, out.resource_version);
          if (mk == "continue")
            return read(cx, mv, mp, out.continue_token);
          return true;
        });
      }
      if (f != "items")
        return true;
      has_items = true;
      return each_element(cx, v, p, [&](od::value& iv, const path& ip) {
        enveloped_object item;
        if (!read_item(cx, k, iv, ip, path{}, limits, false, item))
          return false;
        if (item.key.empty())
          ++out.unnamed;
        else
          out.items.push_back(std::move(item));
        return true;
      });
    });
  });
  if (!cx.failed && !has_items)
    cx.fail(decode_errc::missing_field, path{} / "items", "missing");
  if (cx.failed)
    return make_error(what, {}, {}, *cx.failed);
  return out;
}

} // namespace ambient::kube

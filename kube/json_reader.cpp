#include "kube/json_reader.hpp"

#include "kube/timestamp.hpp"

#include <algorithm>
#include <limits>
#include <utility>

namespace ambient::kube::json {

std::string render(const path& p) {
  std::vector<const path*> steps;
  for (const path* s = &p; s != nullptr && s->step != path::root; s = s->parent)
    steps.push_back(s);
  std::string out;
  for (auto i = steps.rbegin(); i != steps.rend(); ++i) {
    const path& s = **i;
    if (s.step == path::field) {
      if (!out.empty())
        out += '.';
      out += s.name;
    } else if (s.step == path::index) {
      out += '[' + std::to_string(s.pos) + ']';
    } else {
      out += "[\"";
      out += s.name;
      out += "\"]";
    }
  }
  return out;
}

bool ctx::fail(decode_errc c, const path& p, std::string what) {
  failed = failure{c, render(p), std::move(what)};
  return false;
}

bool ctx::json_error(simdjson::error_code e, const path& p, std::string_view expected) {
  if (e == simdjson::INCORRECT_TYPE)
    return fail(decode_errc::bad_field, p, "expected " + std::string{expected});
  if (e == simdjson::NUMBER_OUT_OF_RANGE)
    return fail(decode_errc::bad_field, p, "number out of range");
  return fail(decode_errc::malformed_json, p,
              std::string{"malformed JSON: "} + simdjson::error_message(e));
}

// -- the parser ---------------------------------------------------------------------------------

namespace {

constexpr size_t keep_bytes = 4u << 20;

} // namespace

struct scratch_lease::scratch {
  od::parser parser;
  std::string buf;
  bool busy = false;
};

scratch_lease::scratch_lease() {
  thread_local scratch tls;
  if (tls.busy) {
    own_ = std::make_unique<scratch>();
    s_ = own_.get();
  } else {
    s_ = &tls;
  }
  s_->busy = true;
}

scratch_lease::~scratch_lease() {
  s_->busy = false;
  if (s_->buf.capacity() > keep_bytes)
    std::string{}.swap(s_->buf);
  if (s_->parser.capacity() > keep_bytes)
    s_->parser = od::parser{};
}

simdjson::error_code scratch_lease::iterate(std::string_view json, od::document& doc) {
  s_->buf.assign(json);
  s_->buf.append(simdjson::SIMDJSON_PADDING, '\0'); // simdjson reads past the end
  return s_->parser.iterate(s_->buf.data(), json.size(), s_->buf.size()).get(doc);
}

void check_end(ctx& cx, od::document& doc) {
  const char* rest = nullptr;
  if (!doc.current_location().get(rest))
    cx.fail(decode_errc::malformed_json, path{}, "trailing content after the object");
}

// -- generic readers ----------------------------------------------------------------------------

bool peek_type(ctx& cx, od::value& v, const path& p, od::json_type& t) {
  if (auto e = v.type().get(t))
    return cx.json_error(e, p, "a value");
  return true;
}

presence expect_type(ctx& cx, od::value& v, const path& p, od::json_type want,
                     std::string_view what) {
  od::json_type t;
  if (!peek_type(cx, v, p, t))
    return presence::failed;
  if (t == od::json_type::null)
    return presence::null;
  if (t != want) {
    cx.fail(decode_errc::bad_field, p, "expected " + std::string{what});
    return presence::failed;
  }
  return presence::value;
}

bool as_object(ctx& cx, od::value& v, const path& p, od::object& out) {
  od::json_type t;
  if (!peek_type(cx, v, p, t))
    return false;
  if (t != od::json_type::object)
    return cx.fail(decode_errc::bad_field, p, "expected object");
  if (auto e = v.get_object().get(out))
    return cx.json_error(e, p, "object");
  return true;
}

bool read(ctx& cx, od::value& v, const path& p, std::string& out) {
  if (auto got = expect_type(cx, v, p, od::json_type::string, "string"); got != presence::value)
    return got == presence::null;
  std::string_view s;
  if (auto e = v.get_string().get(s))
    return cx.json_error(e, p, "string");
  out.assign(s);
  return true;
}

bool read(ctx& cx, od::value& v, const path& p, bool& out) {
  if (auto got = expect_type(cx, v, p, od::json_type::boolean, "boolean"); got != presence::value)
    return got == presence::null;
  if (auto e = v.get_bool().get(out))
    return cx.json_error(e, p, "boolean");
  return true;
}

bool read(ctx& cx, od::value& v, const path& p, int32_t& out) {
  if (auto got = expect_type(cx, v, p, od::json_type::number, "integer"); got != presence::value)
    return got == presence::null;
  int64_t n = 0;
  if (auto e = v.get_int64().get(n))
    return cx.json_error(e, p, "integer");
  if (n < std::numeric_limits<int32_t>::min() || n > std::numeric_limits<int32_t>::max())
    return cx.fail(decode_errc::bad_field, p, "number out of range");
  out = static_cast<int32_t>(n);
  return true;
}

bool read_port(ctx& cx, od::value& v, const path& p, int32_t& out) {
  if (!read(cx, v, p, out))
    return false;
  if (out < 0 || out > 65535)
    return cx.fail(decode_errc::bad_field, p, "expected a port number (0-65535)");
  return true;
}

bool read_strings(ctx& cx, od::value& v, const path& p, std::vector<std::string>& out) {
  return each_element(cx, v, p, [&](od::value& ev, const path& ep) {
    std::string s;
    if (!read(cx, ev, ep, s))
      return false;
    out.push_back(std::move(s));
    return true;
  });
}

void normalize(std::vector<std::pair<std::string, std::string>>& m) {
  auto by_key = [](const auto& a, const auto& b) {
    return a.first < b.first;
  };
  if (!std::is_sorted(m.begin(), m.end(), by_key))
    std::stable_sort(m.begin(), m.end(), by_key);
  auto out = m.begin();
  for (auto i = m.begin(); i != m.end(); ++i) {
    if (i + 1 != m.end() && (i + 1)->first == i->first)
      continue;
    if (out != i)
      *out = std::move(*i);
    ++out;
  }
  m.erase(out, m.end());
}

bool read_map(ctx& cx, od::value& v, const path& p, string_map& out, std::string_view skip) {
  out.clear();
  bool ok = each_field(cx, v, p, [&](std::string_view k, od::value& fv, const path&) {
    if (!skip.empty() && k == skip)
      return true;
    std::string s;
    if (!read(cx, fv, p.at_key(k), s))
      return false;
    out.emplace_back(std::string{k}, std::move(s));
    return true;
  });
  if (ok)
    normalize(out);
  return ok;
}

// -- metadata -----------------------------------------------------------------------------------

namespace {

constexpr std::string_view last_applied = "kubectl.kubernetes.io/last-applied-configuration";

bool read_owner(ctx& cx, od::value& v, const path& p, owner_ref& out) {
  return each_field(cx, v, p, [&](std::string_view k, od::value& fv, const path& fp) {
    if (k == "kind")
      return read(cx, fv, fp, out.kind);
    if (k == "name")
      return read(cx, fv, fp, out.name);
    if (k == "controller")
      return read(cx, fv, fp, out.controller);
    return true;
  });
}

std::string_view trim_right(std::string_view s) {
  while (!s.empty()
         && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

/// An RFC 3339 timestamp string in seconds since the epoch; null leaves `out` as it is.
bool read_timestamp(ctx& cx, od::value& v, const path& p, int64_t& out) {
  const auto got = expect_type(cx, v, p, od::json_type::string, "string");
  if (got != presence::value)
    return got == presence::null;
  std::string text;
  if (!read(cx, v, p, text))
    return false;
  auto seconds = parse_rfc3339_seconds(text);
  if (!seconds)
    return cx.fail(decode_errc::bad_field, p, "expected an RFC 3339 timestamp");
  out = *seconds;
  return true;
}

} // namespace

bool read_meta(ctx& cx, od::value& v, const path& p, object_meta& m, meta_extras extras) {
  return each_field(cx, v, p, [&](std::string_view k, od::value& fv, const path& fp) {
    if (k == "name")
      return read(cx, fv, fp, m.name);
    if (k == "namespace")
      return read(cx, fv, fp, m.namespace_);
    if (k == "uid")
      return read(cx, fv, fp, m.uid);
    if (k == "resourceVersion")
      return read(cx, fv, fp, m.resource_version);
    if (k == "labels")
      return read_map(cx, fv, fp, m.labels);
    if (k == "annotations")
      return read_map(cx, fv, fp, m.annotations, last_applied);
    if (k == "deletionTimestamp") {
      std::string ts;
      if (!read(cx, fv, fp, ts))
        return false;
      m.deleting = !ts.empty();
      return true;
    }
    if (k == "ownerReferences" && extras.owners != nullptr)
      return read_each(cx, fv, fp, *extras.owners, read_owner);
    if (k == "generateName" && extras.generate_name != nullptr)
      return read(cx, fv, fp, *extras.generate_name);
    if (k == "creationTimestamp" && extras.creation_seconds != nullptr)
      return read_timestamp(cx, fv, fp, *extras.creation_seconds);
    return true;
  });
}

bool read_raw_object(ctx& cx, od::object& obj, const path& p, std::string& out) {
  std::string_view span;
  if (auto e = obj.raw_json().get(span))
    return cx.json_error(e, p, "object");
  out.assign(trim_right(span));
  return true;
}

void peek_identity(std::string_view json, std::string& ns, std::string& name) {
  ctx cx;
  with_document(cx, json, [&](od::object& top, const path& root) {
    return fields_of(cx, top, root, [&](std::string_view k, od::value& v, const path& p) {
      if (k != "metadata")
        return true;
      return each_field(cx, v, p, [&](std::string_view mk, od::value& mv, const path& mp) {
        if (mk == "name")
          return read(cx, mv, mp, name);
        if (mk == "namespace")
          return read(cx, mv, mp, ns);
        return true;
      });
    });
  });
}

decode_error make_error(std::string_view what, std::string_view ns, std::string_view name,
                        const failure& f) {
  std::string msg{what};
  if (!name.empty()) {
    msg += ' ';
    if (!ns.empty()) {
      msg += ns;
      msg += '/';
    }
    msg += name;
  }
  msg += ": ";
  if (!f.where.empty())
    msg += f.where + ": ";
  msg += f.what;
  return {f.code, std::move(msg)};
}

decode_error too_large(std::string_view what, size_t size, const decode_limits& limits) {
  return {decode_errc::too_large, std::string{what} + ": " + std::to_string(size)
                                      + " bytes exceed the limit of "
                                      + std::to_string(limits.max_object_bytes)};
}

} // namespace ambient::kube::json

#include "kube/decode.hpp"

#include "kube/base64.hpp"

#include <simdjson.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <utility>

namespace ambient::kube {

namespace {

namespace od = simdjson::ondemand;

// -- field paths and failures -------------------------------------------------------------------

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

/// The first failure of a decode.
struct failure {
  decode_errc code{};
  std::string where, what;
};

/// The state of one decode: helpers return false once a failure is recorded.
struct ctx {
  std::optional<failure> failed;

  bool fail(decode_errc c, const path& p, std::string what) {
    failed = failure{c, render(p), std::move(what)};
    return false;
  }

  /// A simdjson error met at `p`: a value of another type than `expected`, or broken JSON.
  bool json_error(simdjson::error_code e, const path& p, std::string_view expected) {
    if (e == simdjson::INCORRECT_TYPE)
      return fail(decode_errc::bad_field, p, "expected " + std::string{expected});
    if (e == simdjson::NUMBER_OUT_OF_RANGE)
      return fail(decode_errc::bad_field, p, "number out of range");
    return fail(decode_errc::malformed_json, p,
                std::string{"malformed JSON: "} + simdjson::error_message(e));
  }
};

// -- the parser ---------------------------------------------------------------------------------

constexpr size_t keep_bytes = 4u << 20;

/// A parser and a padded copy of the input, reused by the decodes of one thread.
struct scratch {
  od::parser parser;
  std::string buf;
  bool busy = false;
};

/// Lends the thread's scratch (a fresh one if a decode on this thread already holds it) and
/// afterwards frees what an unusually large input made it grow to.
class scratch_lease {
public:
  scratch_lease() {
    thread_local scratch tls;
    if (tls.busy) {
      own_ = std::make_unique<scratch>();
      s_ = own_.get();
    } else {
      s_ = &tls;
    }
    s_->busy = true;
  }

  scratch_lease(const scratch_lease&) = delete;
  scratch_lease& operator=(const scratch_lease&) = delete;

  ~scratch_lease() {
    s_->busy = false;
    if (s_->buf.capacity() > keep_bytes)
      std::string{}.swap(s_->buf);
    if (s_->parser.capacity() > keep_bytes)
      s_->parser = od::parser{};
  }

  scratch* operator->() {
    return s_;
  }

private:
  std::unique_ptr<scratch> own_;
  scratch* s_ = nullptr;
};

/// Parses `json` as one object and calls `body(object, root_path)`; rejects anything but a single
/// JSON object. The document lives only during the call.
template <class F>
void with_document(ctx& cx, std::string_view json, F&& body) {
  scratch_lease s;
  s->buf.assign(json);
  s->buf.append(simdjson::SIMDJSON_PADDING, '\0'); // simdjson reads past the end
  const path root;
  od::document doc;
  if (auto e = s->parser.iterate(s->buf.data(), json.size(), s->buf.size()).get(doc)) {
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
  if (!body(top, root))
    return;
  const char* rest = nullptr;
  if (!doc.current_location().get(rest))
    cx.fail(decode_errc::malformed_json, root, "trailing content after the object");
}

// -- generic readers ----------------------------------------------------------------------------

bool peek_type(ctx& cx, od::value& v, const path& p, od::json_type& t) {
  if (auto e = v.type().get(t))
    return cx.json_error(e, p, "a value");
  return true;
}

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

/// As fields_of, for a value that must be an object or null (null has no fields).
template <class F>
bool each_field(ctx& cx, od::value& v, const path& p, F&& f) {
  od::json_type t;
  if (!peek_type(cx, v, p, t))
    return false;
  if (t == od::json_type::null)
    return true;
  if (t != od::json_type::object)
    return cx.fail(decode_errc::bad_field, p, "expected object");
  od::object obj;
  if (auto e = v.get_object().get(obj))
    return cx.json_error(e, p, "object");
  return fields_of(cx, obj, p, f);
}

/// Calls `f(value, path)` for each element of an array (or of null: none); stops at the first
/// false.
template <class F>
bool each_element(ctx& cx, od::value& v, const path& p, F&& f) {
  od::json_type t;
  if (!peek_type(cx, v, p, t))
    return false;
  if (t == od::json_type::null)
    return true;
  if (t != od::json_type::array)
    return cx.fail(decode_errc::bad_field, p, "expected array");
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
bool read(ctx& cx, od::value& v, const path& p, std::string& out) {
  od::json_type t;
  if (!peek_type(cx, v, p, t))
    return false;
  if (t == od::json_type::null)
    return true;
  if (t != od::json_type::string)
    return cx.fail(decode_errc::bad_field, p, "expected string");
  std::string_view s;
  if (auto e = v.get_string().get(s))
    return cx.json_error(e, p, "string");
  out.assign(s);
  return true;
}

/// Reads a boolean; null leaves `out` as it is.
bool read(ctx& cx, od::value& v, const path& p, bool& out) {
  od::json_type t;
  if (!peek_type(cx, v, p, t))
    return false;
  if (t == od::json_type::null)
    return true;
  if (t != od::json_type::boolean)
    return cx.fail(decode_errc::bad_field, p, "expected boolean");
  if (auto e = v.get_bool().get(out))
    return cx.json_error(e, p, "boolean");
  return true;
}

/// Reads a 32-bit integer; null leaves `out` as it is.
bool read(ctx& cx, od::value& v, const path& p, int32_t& out) {
  od::json_type t;
  if (!peek_type(cx, v, p, t))
    return false;
  if (t == od::json_type::null)
    return true;
  if (t != od::json_type::number)
    return cx.fail(decode_errc::bad_field, p, "expected integer");
  int64_t n = 0;
  if (auto e = v.get_int64().get(n))
    return cx.json_error(e, p, "integer");
  if (n < std::numeric_limits<int32_t>::min() || n > std::numeric_limits<int32_t>::max())
    return cx.fail(decode_errc::bad_field, p, "number out of range");
  out = static_cast<int32_t>(n);
  return true;
}

/// Reads a port number (0 to 65535).
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

/// Sorts by key and keeps the last of duplicate keys (JSON's last-wins).
template <class Map>
void normalize(Map& m) {
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

constexpr std::string_view last_applied = "kubectl.kubernetes.io/last-applied-configuration";

/// Reads an object of strings; `skip` names a key that is not kept (nor read).
bool read_map(ctx& cx, od::value& v, const path& p, string_map& out, std::string_view skip = {}) {
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

/// Reads `metadata`; ownerReferences only when `owners` is given.
bool read_meta(ctx& cx, od::value& v, const path& p, object_meta& m,
               std::vector<owner_ref>* owners) {
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
    if (k == "ownerReferences" && owners != nullptr)
      return read_each(cx, fv, fp, *owners, read_owner);
    return true;
  });
}

/// Best effort: the namespace and name of an object whose decode failed, for the message.
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

/// "<what> <ns>/<name>: <field path>: <problem>", parts left out when unknown.
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

std::string_view trim_right(std::string_view s) {
  while (!s.empty()
         && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

/// The raw JSON of an object value.
bool read_raw_object(ctx& cx, od::object& obj, const path& p, std::string& out) {
  std::string_view span;
  if (auto e = obj.raw_json().get(span))
    return cx.json_error(e, p, "object");
  out.assign(trim_right(span));
  return true;
}

// -- pods ---------------------------------------------------------------------------------------

bool read_container_port(ctx& cx, od::value& v, const path& p, container_port& out) {
  return each_field(cx, v, p, [&](std::string_view k, od::value& fv, const path& fp) {
    if (k == "name")
      return read(cx, fv, fp, out.name);
    if (k == "containerPort")
      return read_port(cx, fv, fp, out.port);
    if (k == "protocol")
      return read(cx, fv, fp, out.protocol);
    return true;
  });
}

bool read_pod_spec(ctx& cx, od::value& v, const path& p, pod& out) {
  std::string legacy_account; // spec.serviceAccount, deprecated
  bool ok = each_field(cx, v, p, [&](std::string_view k, od::value& fv, const path& fp) {
    if (k == "nodeName")
      return read(cx, fv, fp, out.node_name);
    if (k == "serviceAccountName")
      return read(cx, fv, fp, out.service_account);
    if (k == "serviceAccount")
      return read(cx, fv, fp, legacy_account);
    if (k == "hostNetwork")
      return read(cx, fv, fp, out.host_network);
    if (k != "containers")
      return true;
    return each_element(cx, fv, fp, [&](od::value& cv, const path& cp) {
      return each_field(cx, cv, cp, [&](std::string_view ck, od::value& pv, const path& pp) {
        return ck != "ports" || read_each(cx, pv, pp, out.ports, read_container_port);
      });
    });
  });
  if (out.service_account.empty())
    out.service_account = std::move(legacy_account);
  return ok;
}

bool read_pod_status(ctx& cx, od::value& v, const path& p, pod& out) {
  return each_field(cx, v, p, [&](std::string_view k, od::value& fv, const path& fp) {
    if (k == "phase")
      return read(cx, fv, fp, out.phase);
    if (k == "podIP")
      return read(cx, fv, fp, out.pod_ip);
    if (k == "hostIP")
      return read(cx, fv, fp, out.host_ip);
    if (k == "podIPs") {
      return each_element(cx, fv, fp, [&](od::value& ev, const path& ep) {
        return each_field(cx, ev, ep, [&](std::string_view ik, od::value& iv, const path& ip) {
          if (ik != "ip")
            return true;
          std::string addr;
          if (!read(cx, iv, ip, addr))
            return false;
          out.pod_ips.push_back(std::move(addr));
          return true;
        });
      });
    }
    if (k == "conditions") {
      return each_element(cx, fv, fp, [&](od::value& ev, const path& ep) {
        std::string type, status;
        bool ok = each_field(cx, ev, ep, [&](std::string_view ck, od::value& cv, const path& cp) {
          if (ck == "type")
            return read(cx, cv, cp, type);
          if (ck == "status")
            return read(cx, cv, cp, status);
          return true;
        });
        if (ok && type == "Ready")
          out.ready = status == "True";
        return ok;
      });
    }
    return true;
  });
}

bool read_body(ctx& cx, std::string_view k, od::value& v, const path& p, pod& out) {
  if (k == "spec")
    return read_pod_spec(cx, v, p, out);
  if (k == "status")
    return read_pod_status(cx, v, p, out);
  return true;
}

void finish(pod& out) {
  if (out.pod_ips.empty() && !out.pod_ip.empty())
    out.pod_ips.push_back(out.pod_ip);
}

// -- services -----------------------------------------------------------------------------------

bool read_service_port(ctx& cx, od::value& v, const path& p, service_port& out) {
  bool ok = each_field(cx, v, p, [&](std::string_view k, od::value& fv, const path& fp) {
    if (k == "name")
      return read(cx, fv, fp, out.name);
    if (k == "protocol")
      return read(cx, fv, fp, out.protocol);
    if (k == "appProtocol")
      return read(cx, fv, fp, out.app_protocol);
    if (k == "port")
      return read_port(cx, fv, fp, out.port);
    if (k != "targetPort")
      return true;
    od::json_type t;
    if (!peek_type(cx, fv, fp, t))
      return false;
    if (t == od::json_type::number)
      return read_port(cx, fv, fp, out.target_port_number);
    if (t == od::json_type::string)
      return read(cx, fv, fp, out.target_port_name);
    if (t == od::json_type::null)
      return true;
    return cx.fail(decode_errc::bad_field, fp, "expected integer or string");
  });
  if (ok && out.target_port_number == 0 && out.target_port_name.empty())
    out.target_port_number = out.port;
  return ok;
}

bool read_body(ctx& cx, std::string_view k, od::value& v, const path& p, service& out) {
  if (k != "spec")
    return true;
  return each_field(cx, v, p, [&](std::string_view sk, od::value& fv, const path& fp) {
    if (sk == "type")
      return read(cx, fv, fp, out.type);
    if (sk == "clusterIP")
      return read(cx, fv, fp, out.cluster_ip);
    if (sk == "clusterIPs")
      return read_strings(cx, fv, fp, out.cluster_ips);
    if (sk == "ipFamilies")
      return read_strings(cx, fv, fp, out.ip_families);
    if (sk == "externalIPs")
      return read_strings(cx, fv, fp, out.external_ips);
    if (sk == "selector")
      return read_map(cx, fv, fp, out.selector);
    if (sk == "ports")
      return read_each(cx, fv, fp, out.ports, read_service_port);
    if (sk == "internalTrafficPolicy")
      return read(cx, fv, fp, out.internal_traffic_policy);
    if (sk == "trafficDistribution")
      return read(cx, fv, fp, out.traffic_distribution);
    if (sk == "externalName")
      return read(cx, fv, fp, out.external_name);
    if (sk == "publishNotReadyAddresses")
      return read(cx, fv, fp, out.publish_not_ready_addresses);
    return true;
  });
}

void finish(service& out) {
  if (out.cluster_ips.empty() && !out.cluster_ip.empty())
    out.cluster_ips.push_back(out.cluster_ip);
  out.headless = out.cluster_ip == "None";
}

// -- namespaces and nodes -----------------------------------------------------------------------

bool read_body(ctx&, std::string_view, od::value&, const path&, namespace_&) {
  return true;
}

bool read_body(ctx& cx, std::string_view k, od::value& v, const path& p, node& out) {
  if (k != "status")
    return true;
  return each_field(cx, v, p, [&](std::string_view sk, od::value& fv, const path& fp) {
    if (sk != "addresses")
      return true;
    return each_element(cx, fv, fp, [&](od::value& ev, const path& ep) {
      std::string type, address;
      bool ok = each_field(cx, ev, ep, [&](std::string_view ak, od::value& av, const path& ap) {
        if (ak == "type")
          return read(cx, av, ap, type);
        if (ak == "address")
          return read(cx, av, ap, address);
        return true;
      });
      if (ok && type == "InternalIP" && out.internal_ip.empty())
        out.internal_ip = std::move(address);
      return ok;
    });
  });
}

// -- endpoint slices ----------------------------------------------------------------------------

bool read_endpoint(ctx& cx, od::value& v, const path& p, endpoint_slice::endpoint& out) {
  return each_field(cx, v, p, [&](std::string_view k, od::value& fv, const path& fp) {
    if (k == "addresses")
      return read_strings(cx, fv, fp, out.addresses);
    if (k == "nodeName")
      return read(cx, fv, fp, out.node_name);
    if (k == "conditions") {
      return each_field(cx, fv, fp, [&](std::string_view ck, od::value& cv, const path& cp) {
        return ck != "ready" || read(cx, cv, cp, out.ready);
      });
    }
    if (k == "targetRef") {
      std::string kind, name;
      bool ok = each_field(cx, fv, fp, [&](std::string_view rk, od::value& rv, const path& rp) {
        if (rk == "kind")
          return read(cx, rv, rp, kind);
        if (rk == "name")
          return read(cx, rv, rp, name);
        return true;
      });
      if (ok && kind == "Pod")
        out.target_pod = std::move(name);
      return ok;
    }
    return true;
  });
}

bool read_endpoint_port(ctx& cx, od::value& v, const path& p, endpoint_slice::port& out) {
  return each_field(cx, v, p, [&](std::string_view k, od::value& fv, const path& fp) {
    if (k == "name")
      return read(cx, fv, fp, out.name);
    if (k == "protocol")
      return read(cx, fv, fp, out.protocol);
    if (k == "port")
      return read_port(cx, fv, fp, out.port);
    return true;
  });
}

bool read_body(ctx& cx, std::string_view k, od::value& v, const path& p, endpoint_slice& out) {
  if (k == "addressType")
    return read(cx, v, p, out.address_type);
  if (k == "endpoints")
    return read_each(cx, v, p, out.endpoints, read_endpoint);
  if (k == "ports")
    return read_each(cx, v, p, out.ports, read_endpoint_port);
  return true;
}

void finish(endpoint_slice& out) {
  if (auto name = lookup(out.meta.labels, "kubernetes.io/service-name"))
    out.service_name = std::string{*name};
}

// -- secrets, config maps, leases ---------------------------------------------------------------

bool read_body(ctx& cx, std::string_view k, od::value& v, const path& p, secret& out) {
  if (k == "type")
    return read(cx, v, p, out.type);
  if (k != "data")
    return true;
  out.data.clear();
  bool ok = each_field(cx, v, p, [&](std::string_view dk, od::value& dv, const path&) {
    const path kp = p.at_key(dk);
    std::string text;
    if (!read(cx, dv, kp, text))
      return false;
    auto bytes = decode_base64(text);
    if (!bytes)
      return cx.fail(decode_errc::bad_field, kp, "invalid base64"); // never echo the value
    out.data.emplace_back(std::string{dk}, std::move(*bytes));
    return true;
  });
  if (ok)
    normalize(out.data);
  return ok;
}

bool read_body(ctx& cx, std::string_view k, od::value& v, const path& p, config_map& out) {
  return k != "data" || read_map(cx, v, p, out.data);
}

bool read_body(ctx& cx, std::string_view k, od::value& v, const path& p, lease& out) {
  if (k != "spec")
    return true;
  return each_field(cx, v, p, [&](std::string_view sk, od::value& fv, const path& fp) {
    if (sk == "holderIdentity")
      return read(cx, fv, fp, out.holder_identity);
    if (sk == "acquireTime")
      return read(cx, fv, fp, out.acquire_time);
    if (sk == "renewTime")
      return read(cx, fv, fp, out.renew_time);
    if (sk == "leaseDurationSeconds")
      return read(cx, fv, fp, out.lease_duration_seconds);
    if (sk == "leaseTransitions")
      return read(cx, fv, fp, out.lease_transitions);
    return true;
  });
}

// -- gateways -----------------------------------------------------------------------------------

bool read_listener(ctx& cx, od::value& v, const path& p, gateway::listener& out) {
  return each_field(cx, v, p, [&](std::string_view k, od::value& fv, const path& fp) {
    if (k == "name")
      return read(cx, fv, fp, out.name);
    if (k == "protocol")
      return read(cx, fv, fp, out.protocol);
    if (k == "port")
      return read_port(cx, fv, fp, out.port);
    if (k == "tls") {
      return each_field(cx, fv, fp, [&](std::string_view tk, od::value& tv, const path& tp) {
        return tk != "mode" || read(cx, tv, tp, out.tls_mode);
      });
    }
    return true;
  });
}

bool read_body(ctx& cx, std::string_view k, od::value& v, const path& p, gateway& out) {
  if (k == "spec") {
    return each_field(cx, v, p, [&](std::string_view sk, od::value& fv, const path& fp) {
      if (sk == "gatewayClassName")
        return read(cx, fv, fp, out.gateway_class);
      if (sk == "listeners")
        return read_each(cx, fv, fp, out.listeners, read_listener);
      return true;
    });
  }
  if (k == "status") {
    return each_field(cx, v, p, [&](std::string_view sk, od::value& fv, const path& fp) {
      if (sk != "addresses")
        return true;
      return each_element(cx, fv, fp, [&](od::value& ev, const path& ep) {
        std::string value;
        bool ok = each_field(cx, ev, ep, [&](std::string_view ak, od::value& av, const path& ap) {
          return ak != "value" || read(cx, av, ap, value);
        });
        if (ok && !value.empty())
          out.addresses.push_back(std::move(value));
        return ok;
      });
    });
  }
  return true;
}

// -- the kind decoders --------------------------------------------------------------------------

template <class T>
void finish(T&) {
  // nop
}

template <class T>
std::vector<owner_ref>* owners_of(T&) {
  return nullptr;
}

std::vector<owner_ref>* owners_of(pod& x) {
  return &x.owners;
}

template <class T>
decoded<T> decode_kind(std::string_view kind, std::string_view json, const decode_limits& limits) {
  if (json.size() > limits.max_object_bytes)
    return too_large(kind, json.size(), limits);
  T out{};
  ctx cx;
  with_document(cx, json, [&](od::object& top, const path& root) {
    return fields_of(cx, top, root, [&](std::string_view k, od::value& v, const path& p) {
      if (k == "metadata")
        return read_meta(cx, v, p, out.meta, owners_of(out));
      if (k != "kind")
        return read_body(cx, k, v, p, out);
      std::string actual;
      if (!read(cx, v, p, actual))
        return false;
      if (actual != kind)
        return cx.fail(decode_errc::wrong_kind, p,
                       "expected " + std::string{kind} + ", got " + actual.substr(0, 64));
      return true;
    });
  });
  if (!cx.failed && out.meta.name.empty())
    cx.fail(decode_errc::missing_field, path{} / "metadata" / "name", "missing");
  if (cx.failed) {
    std::string ns = out.meta.namespace_, name = out.meta.name;
    if (name.empty()) // the failure came before metadata, or inside it
      peek_identity(json, ns, name);
    return make_error(kind, ns, name, *cx.failed);
  }
  finish(out);
  return out;
}

// -- watch events -------------------------------------------------------------------------------

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

/// Reads the "object" of a watch event: its metadata, the Status fields (used for ERROR events;
/// ignored when of another type, since other kinds may have fields of those names) and its span.
constexpr std::string_view too_large_rv_message = "Too large resource version";

/// Servers before 1.17 said a resource version was too large only in the message of a Timeout.
void note_old_too_large(status_info& st) {
  if (st.reason == "Timeout" && st.message.find(too_large_rv_message) != std::string::npos)
    st.resource_version_too_large = true;
}

/// A Status's details: only whether a cause says the resource version is too large. Lenient:
/// the other fields (name, kind, retryAfterSeconds, a cause's field), and anything of another
/// shape, are skipped, so a watched object that happens to have a top-level "details" still
/// decodes.
bool read_status_details(ctx& cx, od::value& v, const path& p, status_info& st) {
  od::json_type t;
  if (!peek_type(cx, v, p, t))
    return false;
  if (t != od::json_type::object)
    return true;
  od::object obj;
  if (auto e = v.get_object().get(obj))
    return cx.json_error(e, p, "object");
  return fields_of(cx, obj, p, [&](std::string_view k, od::value& dv, const path& dp) {
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
        od::json_type ft;
        if (ck != "reason" && ck != "message")
          return true;
        if (!peek_type(cx, fv, fp, ft))
          return false;
        if (ft != od::json_type::string)
          return true;
        return read(cx, fv, fp, ck == "reason" ? reason : message);
      });
      if (reason == "ResourceVersionTooLarge" || message == too_large_rv_message)
        st.resource_version_too_large = true;
      return ok;
    });
  });
}

bool read_event_object(ctx& cx, od::value& v, const path& p, raw_watch_event& ev, status_info& st) {
  od::json_type t;
  if (!peek_type(cx, v, p, t))
    return false;
  if (t != od::json_type::object)
    return cx.fail(decode_errc::bad_field, p, "expected object");
  od::object obj;
  if (auto e = v.get_object().get(obj))
    return cx.json_error(e, p, "object");
  bool ok = fields_of(cx, obj, p, [&](std::string_view k, od::value& fv, const path& fp) {
    if (k == "metadata")
      return read_meta(cx, fv, fp, ev.meta, nullptr);
    if (k == "details")
      return read_status_details(cx, fv, fp, st);
    if (k != "code" && k != "reason" && k != "message")
      return true;
    od::json_type ft;
    if (!peek_type(cx, fv, fp, ft))
      return false;
    if (k == "code" && ft == od::json_type::number)
      return read(cx, fv, fp, st.code);
    if (ft == od::json_type::string)
      return read(cx, fv, fp, k == "reason" ? st.reason : st.message);
    return true;
  });
  return ok && read_raw_object(cx, obj, p, ev.object_json);
}

} // namespace

decoded<pod> decode_pod(std::string_view json, const decode_limits& limits) {
  return decode_kind<pod>("Pod", json, limits);
}

decoded<service> decode_service(std::string_view json, const decode_limits& limits) {
  return decode_kind<service>("Service", json, limits);
}

decoded<namespace_> decode_namespace(std::string_view json, const decode_limits& limits) {
  return decode_kind<namespace_>("Namespace", json, limits);
}

decoded<node> decode_node(std::string_view json, const decode_limits& limits) {
  return decode_kind<node>("Node", json, limits);
}

decoded<endpoint_slice> decode_endpoint_slice(std::string_view json, const decode_limits& limits) {
  return decode_kind<endpoint_slice>("EndpointSlice", json, limits);
}

decoded<secret> decode_secret(std::string_view json, const decode_limits& limits) {
  return decode_kind<secret>("Secret", json, limits);
}

decoded<config_map> decode_config_map(std::string_view json, const decode_limits& limits) {
  return decode_kind<config_map>("ConfigMap", json, limits);
}

decoded<lease> decode_lease(std::string_view json, const decode_limits& limits) {
  return decode_kind<lease>("Lease", json, limits);
}

decoded<gateway> decode_gateway(std::string_view json, const decode_limits& limits) {
  return decode_kind<gateway>("Gateway", json, limits);
}

std::optional<object_meta> decode_object_meta(std::string_view json) {
  if (json.size() > decode_limits{}.max_object_bytes)
    return std::nullopt;
  object_meta meta;
  ctx cx;
  with_document(cx, json, [&](od::object& top, const path& root) {
    return fields_of(cx, top, root, [&](std::string_view k, od::value& v, const path& p) {
      return k != "metadata" || read_meta(cx, v, p, meta, nullptr);
    });
  });
  if (cx.failed || meta.name.empty())
    return std::nullopt;
  return meta;
}

decoded<raw_watch_event> decode_watch_event(std::string_view line, const decode_limits& limits) {
  constexpr std::string_view what = "watch event";
  if (line.size() > limits.max_object_bytes)
    return too_large(what, line.size(), limits);
  raw_watch_event ev{watch_event_type::added, {}, {}, 0, {}, {}, false};
  status_info st;
  std::string type;
  bool has_object = false;
  ctx cx;
  with_document(cx, line, [&](od::object& top, const path& root) {
    return fields_of(cx, top, root, [&](std::string_view k, od::value& v, const path& p) {
      if (k == "type")
        return read(cx, v, p, type);
      if (k != "object")
        return true;
      has_object = true;
      return read_event_object(cx, v, p, ev, st);
    });
  });
  const path root;
  if (!cx.failed) {
    auto t = event_type_of(type);
    if (type.empty())
      cx.fail(decode_errc::missing_field, root / "type", "missing");
    else if (!t)
      cx.fail(decode_errc::bad_field, root / "type",
              "unknown watch event type \"" + type.substr(0, 32) + '"');
    else if (!has_object)
      cx.fail(decode_errc::missing_field, root / "object", "missing");
    else if (*t == watch_event_type::bookmark && ev.meta.resource_version.empty())
      cx.fail(decode_errc::missing_field, root / "object" / "metadata" / "resourceVersion",
              "missing");
    else if (*t != watch_event_type::bookmark && *t != watch_event_type::error
             && ev.meta.name.empty())
      cx.fail(decode_errc::missing_field, root / "object" / "metadata" / "name", "missing");
    else
      ev.type = *t;
  }
  if (cx.failed) {
    const std::string label = std::string{what} + (type.empty() ? "" : " " + type.substr(0, 32));
    return make_error(label, ev.meta.namespace_, ev.meta.name, *cx.failed);
  }
  if (ev.type == watch_event_type::error) {
    note_old_too_large(st);
    ev.status_code = st.code;
    ev.status_reason = std::move(st.reason);
    ev.status_message = std::move(st.message);
    ev.status_version_too_large = st.resource_version_too_large;
  }
  return ev;
}

decoded<raw_list> decode_list(std::string_view body, const decode_limits& limits) {
  constexpr std::string_view what = "list";
  if (body.size() > limits.max_object_bytes)
    return too_large(what, body.size(), limits);
  raw_list out;
  bool has_items = false;
  ctx cx;
  with_document(cx, body, [&](od::object& top, const path& root) {
    return fields_of(cx, top, root, [&](std::string_view k, od::value& v, const path& p) {
      if (k == "metadata") {
        return each_field(cx, v, p, [&](std::string_view mk, od::value& mv, const path& mp) {
          if (mk == "resourceVersion")
            return read(cx, mv, mp, out.resource_version);
          if (mk == "continue")
            return read(cx, mv, mp, out.continue_token);
          return true;
        });
      }
      if (k != "items")
        return true;
      has_items = true;
      return each_element(cx, v, p, [&](od::value& ev, const path& ep) {
        od::json_type t;
        if (!peek_type(cx, ev, ep, t))
          return false;
        if (t != od::json_type::object)
          return cx.fail(decode_errc::bad_field, ep, "expected object");
        od::object item;
        if (auto e = ev.get_object().get(item))
          return cx.json_error(e, ep, "object");
        out.items.emplace_back();
        return read_raw_object(cx, item, ep, out.items.back());
      });
    });
  });
  if (!cx.failed && !has_items)
    cx.fail(decode_errc::missing_field, path{} / "items", "missing");
  if (cx.failed)
    return make_error(what, {}, {}, *cx.failed);
  return out;
}

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
      if (k == "code")
        return read(cx, v, p, st.code);
      if (k == "reason")
        return read(cx, v, p, st.reason);
      if (k == "message")
        return read(cx, v, p, st.message);
      if (k == "details")
        return read_status_details(cx, v, p, st);
      return true;
    });
  });
  if (cx.failed || (!kind.empty() && kind != "Status"))
    return std::nullopt;
  note_old_too_large(st);
  if (kind.empty() && st.code == 0 && st.message.empty())
    return std::nullopt;
  return st;
}

} // namespace ambient::kube

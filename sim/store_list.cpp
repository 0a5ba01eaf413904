#include "sim/store.hpp"

#include "sim/continue_token.hpp"

namespace ambient::sim {

std::string object_key(std::string_view ns, std::string_view name) {
  std::string k{ns};
  k += '/';
  k += name;
  return k;
}

bool object_filter::matches(const stored_object& o) const {
  if (!namespace_.empty() && o.namespace_ != namespace_)
    return false;
  if (!labels.empty() && !labels.matches(o.labels))
    return false;
  if (!fields.empty()) {
    return fields.matches([&o](std::string_view f) -> std::string_view {
      if (f == "metadata.name")
        return o.name;
      if (f == "metadata.namespace")
        return o.namespace_;
      auto i = o.fields.find(f);
      return i == o.fields.end() ? std::string_view{} : std::string_view{i->second};
    });
  }
  return true;
}

list_result store::list(const resource_type& rt, const object_filter& filter, size_t limit,
                        const std::string& continue_token) const {
  std::lock_guard guard{mutex_};
  list_result out;
  out.resource_version = rv_;
  std::string after;
  if (!continue_token.empty()) {
    auto c = parse_continue(continue_token);
    if (!c)
      return {{}, 0, {}, bad_request("invalid continue token")};
    if (c->first < oldest_rv_)
      return {{},
              0,
              {},
              api_error{410,
                        "Expired",
                        "The provided continue parameter is too old to display a consistent "
                        "list result. You can start a new list without the continue parameter.",
                        {},
                        {}}};
    out.resource_version = c->first;
    after = c->second;
  }
  auto ti = tables_.find(rt.id());
  if (ti == tables_.end())
    return out;
  const auto& t = ti->second;
  auto it = after.empty() ? t.begin() : t.upper_bound(after);
  if (!filter.namespace_.empty() && after.empty())
    it = t.lower_bound(filter.namespace_ + "/");
  for (; it != t.end(); ++it) {
    if (!filter.namespace_.empty() && !it->first.starts_with(filter.namespace_ + "/"))
      break;
    if (!filter.matches(*it->second))
      continue;
    if (limit != 0 && out.items.size() == limit) {
      out.continue_token = make_continue(
          out.resource_version, object_key(out.items.back()->namespace_, out.items.back()->name));
      break;
    }
    out.items.push_back(it->second);
  }
  return out;
}

uint64_t store::resource_version() const {
  std::lock_guard guard{mutex_};
  return rv_;
}

uint64_t store::oldest_resource_version() const {
  std::lock_guard guard{mutex_};
  return oldest_rv_;
}

size_t store::object_count(const resource_type& rt) const {
  std::lock_guard guard{mutex_};
  auto ti = tables_.find(rt.id());
  return ti == tables_.end() ? 0 : ti->second.size();
}

} // namespace ambient::sim

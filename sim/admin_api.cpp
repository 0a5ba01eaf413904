#include "sim/admin_api.hpp"

#include <algorithm>
#include <cctype>

#include "sim/admin_params.hpp"
#include "sim/api_handler.hpp"
#include "sim/fault_menu.hpp"

namespace ambient::sim {

admin_api::admin_api(fleet& f) : fleet_(f) {
  // nop
}

std::string admin_api::fleet_json() {
  std::string out = R"({"clusters":[)";
  const auto* pods = find_resource("", "v1", "pods");
  for (size_t i = 0; i < fleet_.size(); ++i) {
    auto& c = fleet_.cluster(i);
    if (i)
      out += ',';
    out += R"({"name":)" + dump_json(c.name()) + R"(,"server":")" + c.server_url()
           + R"(","kubeconfig":)" + dump_json(c.kubeconfig_path());
    out += R"(,"up":)" + std::string{c.is_up() ? "true" : "false"} + R"(,"watches":)"
           + std::to_string(c.server().open_watches()) + R"(,"pods":)"
           + std::to_string(c.data().object_count(*pods)) + R"(,"resourceVersion":")"
           + std::to_string(c.data().resource_version()) + "\"}";
  }
  out += "]}";
  return out;
}

std::string admin_api::stamps_text(const std::string& cluster_and_tag) {
  std::lock_guard guard{mutex_};
  std::string out;
  if (auto it = stamped_.find(cluster_and_tag); it != stamped_.end() && it->second)
    for (const auto& s : it->second->stamps())
      out += std::to_string(s.n) + " " + std::to_string(s.at_ns) + "\n";
  return out;
}

admin_api::response admin_api::handle(const std::string& method, const std::string& target) {
  try {
    auto qpos = target.find('?');
    std::string path = target.substr(0, qpos);
    auto q = parse_query(qpos == std::string::npos ? std::string_view{}
                                                   : std::string_view{target}.substr(qpos + 1));
    if (!q)
      return admin_message(400, "malformed query string");
    if (path == "/fleet" && method == "GET")
      return {200, fleet_json(), "application/json"};
    if (!path.starts_with("/clusters/"))
      return admin_message(404, "unknown path " + path);
    auto rest = path.substr(10);
    auto slash = rest.find('/');
    if (slash == std::string::npos)
      return admin_message(404, "expected /clusters/<name>/<action>");
    auto name = rest.substr(0, slash);
    auto action = rest.substr(slash + 1);
    auto* c = fleet_.find(name);
    if (c == nullptr)
      return admin_message(404, "no cluster named " + name);
    if (action == "kubeconfig" && method == "GET")
      return {200, c->kubeconfig(), "application/yaml"};
    if (action == "stamps" && method == "GET") {
      auto tag = q->find("tag");
      return {200, stamps_text(c->name() + "/" + (tag == q->end() ? "t" : tag->second)),
              "text/plain"};
    }
    if (method != "POST")
      return admin_message(405, action + " takes POST");
    return act(*c, action, *q);
  } catch (const std::exception& e) {
    return admin_message(500, e.what());
  }
}

admin_api::response admin_api::act(sim_cluster& c, const std::string& action,
                                   const std::map<std::string, std::string>& q) {
  auto bad = [&](const char* what) {
    return admin_message(400, std::string{"bad parameter: "} + what);
  };
  if (action == "seed") {
    workload_shape shape;
    auto ns = query_int(q, "namespaces", shape.namespaces);
    auto nodes = query_int(q, "nodes", shape.nodes);
    auto svcs = query_int(q, "services", shape.services);
    auto pods = query_int(q, "pods", shape.pods);
    if (!ns || !nodes || !svcs || !pods || *ns < 1 || *nodes < 1 || *svcs < 1 || *pods < 0)
      return bad("namespaces, nodes, services (>= 1), pods (>= 0)");
    shape = {static_cast<uint32_t>(*ns), static_cast<uint32_t>(*nodes),
             static_cast<uint32_t>(*svcs), static_cast<uint32_t>(*pods), true};
    uint32_t index = 0;
    for (size_t i = 0; i < fleet_.size(); ++i)
      if (&fleet_.cluster(i) == &c)
        index = static_cast<uint32_t>(i);
    auto seeded = seed_workloads(c.data(), index, shape);
    std::lock_guard guard{mutex_};
    seeds_[c.name()] = std::move(seeded);
  } else if (action == "churn") {
    auto rate = query_int(q, "rate", 0);
    if (!rate || *rate < 0)
      return bad("rate (events per second; 0 stops)");
    std::lock_guard guard{mutex_};
    churn_.erase(c.name());
    if (*rate > 0) {
      auto seed = seeds_.find(c.name());
      if (seed == seeds_.end())
        return admin_message(409, "seed the cluster before churning it");
      auto d = std::make_unique<churn_driver>(c.data(), seed->second, std::random_device{}());
      d->start(static_cast<double>(*rate));
      churn_[c.name()] = std::move(d);
    }
  } else if (action == "stamp") {
    auto rate = query_int(q, "rate", 0);
    if (!rate || *rate < 0)
      return bad("rate (stamped relabels per second; 0 stops)");
    auto tag_it = q.find("tag");
    std::string tag = tag_it == q.end() ? "t" : tag_it->second;
    if (tag.empty() || tag.size() > 20 || !std::all_of(tag.begin(), tag.end(), [](char ch) {
          return std::isalnum(static_cast<unsigned char>(ch));
        }))
      return bad("tag (1 to 20 letters or digits)");
    std::lock_guard guard{mutex_};
    auto seed = seeds_.find(c.name());
    if (seed == seeds_.end())
      return admin_message(409, "seed the cluster before churning it");
    // Every tag's driver of this cluster stops; its stamps stay readable.
    for (auto& [key, driver] : stamped_)
      if (key.rfind(c.name() + "/", 0) == 0)
        driver->stop();
    if (*rate > 0) {
      auto& d = stamped_[c.name() + "/" + tag];
      d = std::make_unique<churn_driver>(c.data(), seed->second, std::random_device{}());
      d->start_stamped(static_cast<double>(*rate),
                       "s" + std::to_string(seed->second.cluster_index) + "-" + tag + "-");
    }
  } else {
    auto reply = apply_fault(c, action, q);
    return reply ? std::move(*reply) : admin_message(404, "unknown action " + action);
  }
  return admin_message(200, action + " applied to " + c.name());
}

} // namespace ambient::sim

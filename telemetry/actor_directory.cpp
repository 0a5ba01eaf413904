#include "telemetry/actor_directory.hpp"

namespace ambient::telemetry {

namespace {

int64_t steady_ns() noexcept {
  return std::chrono::steady_clock::now().time_since_epoch().count();
}

} // namespace

actor_probe::actor_probe(actor_directory& dir, uint64_t id, uint64_t parent, std::string kind)
  : dir_(dir), id_(id), parent_(parent), kind_(std::move(kind)) {}

void actor_probe::begin(std::size_t mailbox_depth) noexcept {
  depth_.store(mailbox_depth, std::memory_order_relaxed);
  busy_since_.store(steady_ns(), std::memory_order_relaxed);
}

void actor_probe::end() noexcept {
  // The actor is the only writer of its own fields: plain loads and stores, no read-modify-write.
  auto took = steady_ns() - busy_since_.load(std::memory_order_relaxed);
  busy_since_.store(0, std::memory_order_relaxed);
  handled_.store(handled_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  group_.messages->inc();
  group_.handler->observe(static_cast<double>(took) * 1e-9);
}

void actor_probe::set_cluster(std::string_view cluster) {
  auto group = dir_.group_of(kind_, cluster);
  std::lock_guard guard{dir_.mutex_};
  cluster_ = std::string{cluster};
  group_ = group;
}

actor_directory::actor_directory(registry& metrics) : metrics_(metrics) {}

actor_group_metrics actor_directory::group_of(std::string_view kind, std::string_view cluster) {
  std::lock_guard guard{mutex_};
  auto key = std::pair{std::string{kind}, std::string{cluster}};
  if (auto it = groups_.find(key); it != groups_.end())
    return it->second;
  label_set labels{{"actor", key.first}, {"cluster", key.second}};
  actor_group_metrics g;
  g.messages = &metrics_.add_counter("ambientd_actor_messages_total",
                                     "Messages handled by actors of this kind", labels);
  g.handler = &metrics_.add_histogram("ambientd_actor_handler_duration_seconds",
                                      "Time actors of this kind spent handling one message",
                                      exponential_buckets(1e-6, 4, 11), labels);
  g.mailbox = &metrics_.add_gauge(
      "ambientd_actor_mailbox_depth",
      "Messages waiting in the mailboxes of actors of this kind, as each last saw it", labels);
  g.restarts = &metrics_.add_counter("ambientd_actor_restarts_total",
                                     "Actors of this kind restarted by their supervisor", labels);
  groups_.emplace(std::move(key), g);
  return g;
}

std::shared_ptr<actor_probe> actor_directory::enroll(uint64_t id, uint64_t parent,
                                                     std::string_view kind) {
  auto group = group_of(kind, "");
  auto probe = std::make_shared<actor_probe>(*this, id, parent, std::string{kind});
  probe->group_ = group;
  std::lock_guard guard{mutex_};
  auto it = live_gauges_.find(kind);
  if (it == live_gauges_.end())
    it = live_gauges_
             .emplace(std::string{kind},
                      &metrics_.add_gauge("ambientd_actors", "Live actors of this kind",
                                          {{"actor", std::string{kind}}}))
             .first;
  it->second->add(1);
  live_[id] = probe;
  return probe;
}

void actor_directory::retire(uint64_t id) {
  std::lock_guard guard{mutex_};
  auto it = live_.find(id);
  if (it == live_.end())
    return;
  live_gauges_.at(it->second->kind())->add(-1);
  live_.erase(it);
}

void actor_directory::restarted(std::string_view kind, std::string_view cluster) {
  group_of(kind, cluster).restarts->inc();
}

std::vector<actor_record> actor_directory::snapshot() const {
  auto now = steady_ns();
  std::lock_guard guard{mutex_};
  std::vector<actor_record> out;
  out.reserve(live_.size());
  for (const auto& [id, p] : live_) {
    actor_record r;
    r.id = id;
    r.parent = p->parent_;
    r.kind = p->kind_;
    r.cluster = p->cluster_;
    r.handled = p->handled_.load(std::memory_order_relaxed);
    r.mailbox_depth = p->depth_.load(std::memory_order_relaxed);
    auto since = p->busy_since_.load(std::memory_order_relaxed);
    r.busy_for = std::chrono::nanoseconds{since == 0 ? 0 : std::max<int64_t>(0, now - since)};
    out.push_back(std::move(r));
  }
  return out;
}

void actor_directory::sample() {
  std::lock_guard guard{mutex_};
  std::map<gauge*, double> sums;
  for (const auto& [key, g] : groups_)
    sums[g.mailbox] = 0;
  for (const auto& [id, p] : live_)
    sums[p->group_.mailbox] += static_cast<double>(p->depth_.load(std::memory_order_relaxed));
  for (auto [g, v] : sums)
    g->set(v);
}

actor_directory& default_actor_directory() {
  static auto* d = new actor_directory{default_registry()}; // leaked: no exit-order hazard
  return *d;
}

} // namespace ambient::telemetry

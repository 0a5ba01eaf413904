#pragma once

#include <catch2/catch.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <caf/all.hpp>

#include "actors/readiness_aggregator.hpp"
#include "messages/type_ids.hpp"
#include "sim/workload.hpp"
#include "support/eventually.hpp"
#include "support/secret_store_fixture.hpp"

namespace ambient::test {

/// What the publisher's place received: the view rebuilt from deltas, and each delta's size.
struct published {
  std::mutex m;
  std::map<std::string, std::string> view;       // name → bytes
  std::vector<std::pair<size_t, size_t>> deltas; // (upserted, removed)
  uint64_t last_version = 0;
  bool versions_increase = true;

  size_t count_prefix(const std::string& prefix) {
    std::lock_guard g{m};
    size_t n = 0;
    for (const auto& [name, bytes] : view)
      n += name.rfind(prefix, 0) == 0 ? 1 : 0;
    return n;
  }
};

/// Stands in for the xDS publisher: applies every delta to `p`.
inline caf::behavior publisher_stand_in(caf::event_based_actor*, std::shared_ptr<published> p) {
  return {[p](const messages::mesh_delta_ptr& d) {
    std::lock_guard g{p->m};
    for (const auto& n : d->removed)
      p->view.erase(n);
    for (const auto& r : d->upserted)
      p->view[r->name] = r->bytes;
    p->deltas.emplace_back(d->upserted.size(), d->removed.size());
    p->versions_increase = p->versions_increase && d->version > p->last_version;
    p->last_version = d->version;
  }};
}

/// cluster-1 holds the remote secrets; cluster-2 is a remote cluster with 20 seeded pods. The
/// store's clusters feed a real readiness aggregator, whose deltas reach `out`. `stale_limit` is
/// the store's --stale-cluster-limit.
struct aggregator_fixture : secret_store_fixture {
  std::shared_ptr<published> out = std::make_shared<published>();
  caf::actor publisher = sys.spawn(publisher_stand_in, out);
  caf::actor aggregator;

  explicit aggregator_fixture(std::optional<std::chrono::milliseconds> stale_limit = {})
    : secret_store_fixture(2) {
    sim::seed_workloads(sim.cluster(1).data(), 1, {2, 2, 4, 20, true});
    auto mesh = std::make_shared<mesh::mesh_config>();
    mesh->cluster_id = "cluster-1";
    aggregator = sys.spawn(actors::readiness_aggregator_impl,
                           actors::readiness_aggregator_config{mesh, publisher});
    auto sc = store_config(aggregator);
    sc.stale_limit = stale_limit;
    start(sc);
  }

  ~aggregator_fixture() {
    stop_watcher_and_store();
    for (auto* a : {&aggregator, &publisher})
      caf::anon_send_exit(*a, caf::exit_reason::user_shutdown);
  }

  /// cluster_store's row of `id` (a default row, state pending, while it has none).
  messages::cluster_status_row row(const std::string& id) {
    caf::scoped_actor self{sys};
    messages::cluster_status_row out_row;
    self->request(store, std::chrono::seconds{5}, atom::status_v)
        .receive(
            [&](const messages::cluster_store_status& st) {
              for (const auto& r : st.clusters)
                if (r.cluster_id == id)
                  out_row = r;
            },
            [&](const caf::error& e) { FAIL(caf::to_string(e)); });
    return out_row;
  }

  fleet::lifecycle state_of(const std::string& id) {
    return row(id).state;
  }

  template <class Pred>
  bool eventually(Pred pred) {
    return test::eventually(pred);
  }
};

} // namespace ambient::test

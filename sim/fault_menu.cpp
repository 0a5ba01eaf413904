#include "sim/fault_menu.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>

#include "sim/admin_params.hpp"

namespace ambient::sim {

namespace {

/// The faults that spoil a count of upcoming watches or events (`?count=N`, 1 when absent);
/// null for another action.
std::atomic<int>* counted_fault(fault_state& f, const std::string& action) {
  if (action == "expire-watches")
    return &f.expire_next_watches;
  if (action == "malformed-events")
    return &f.malformed_next_events;
  return nullptr;
}

} // namespace

std::optional<admin_api::response> apply_fault(sim_cluster& c, const std::string& action,
                                               const std::map<std::string, std::string>& q) {
  auto& f = c.faults();
  auto bad = [&](const char* what) {
    return admin_message(400, std::string{"bad parameter: "} + what);
  };
  if (action == "down") {
    c.down();
  } else if (action == "up") {
    c.up();
  } else if (action == "fail") {
    auto count = query_int(q, "count", 1);
    auto code = query_int(q, "code", 500);
    if (!count || !code || (*code != 500 && *code != 429 && *code != 503))
      return bad("count (number), code (500, 503 or 429)");
    f.fail_code = static_cast<int>(*code);
    f.fail_next = static_cast<int>(*count);
  } else if (action == "stall-watches") {
    auto on = q.contains("on") ? q.at("on") : "true";
    if (on != "true" && on != "false")
      return bad("on (true or false)");
    f.stall_watches = on == "true";
  } else if (action == "cut-watches") {
    c.cut_watches();
  } else if (auto* counter = counted_fault(f, action)) {
    auto count = query_int(q, "count", 1);
    if (!count)
      return bad("count");
    *counter = static_cast<int>(*count);
  } else if (action == "compact") {
    c.compact();
  } else if (action == "refuse-list") {
    auto resource = q.contains("resource") ? q.at("resource") : "";
    auto code = query_int(q, "code", 403);
    if (!code || (*code != 0 && *code != 403 && *code != 500))
      return bad("code (403, 500, or 0 to hold the list unanswered)");
    if (!std::all_of(resource.begin(), resource.end(),
                     [](char ch) { return std::islower(static_cast<unsigned char>(ch)); }))
      return bad("resource (a plural such as services; empty clears)");
    f.refuse_lists(resource, static_cast<int>(*code));
  } else if (action == "latency") {
    auto ms = query_int(q, "ms", 0);
    if (!ms || *ms < 0)
      return bad("ms");
    f.latency_ms = static_cast<int>(*ms);
  } else if (action == "gateway-api") {
    auto installed = q.contains("installed") ? q.at("installed") : "true";
    if (installed != "true" && installed != "false")
      return bad("installed (true or false)");
    bool missing = installed == "false";
    // Removing the CRDs ends their watches on a real API server: open watches are cut (the
    // others resume by themselves).
    if (missing && !f.gateway_api_missing.exchange(true))
      c.cut_watches();
    f.gateway_api_missing = missing;
  } else if (action == "tokenreview") {
    auto mode = q.contains("mode") ? q.at("mode") : "";
    if (mode != "fail" && mode != "stall" && mode != "off")
      return bad("mode (fail, stall or off)");
    f.token_reviews = mode == "fail"    ? token_review_fault::fail
                      : mode == "stall" ? token_review_fault::stall
                                        : token_review_fault::none;
  } else if (action == "rotate-ca") {
    c.rotate_ca();
  } else if (action == "revoke-token") {
    c.revoke_token();
  } else {
    return std::nullopt;
  }
  return admin_message(200, action + " applied to " + c.name());
}

} // namespace ambient::sim

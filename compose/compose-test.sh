#!/usr/bin/env bash
# Compose test: builds the image, trains with 3 worker containers over mutual TLS (certificates made by the compose
# file's certs service), and checks the outputs on the host against `cnnd train --insecure --workers 3` run on the host
# with the same options; then again with the third worker started late, refusing meanwhile a plaintext worker and one
# with another CA's certificate.
# Installs and starts what it needs (docker.io, docker-compose, debootstrap, dockerd, a Debian base image) and stops
# only the dockerd it started. Prints the checks' total as its last line: `N passed, N failed`.
set -uo pipefail

cd "$(dirname "$0")"
compose_dir=$(pwd)
started=$SECONDS
passed=0
failed=0
dockerd_pid=""
project="cnndtest$$"
work=$(mktemp -d /tmp/cnnd-compose.XXXXXX)
export BASE_IMAGE="${BASE_IMAGE:-localhost/debian:bookworm}"
export DOCKER_HOST="${DOCKER_HOST:-unix:///var/run/docker.sock}"
export CNND_EPOCHS=2 CNND_SEED=1 CNND_SHARDS=8 CNND_BATCH_SIZE=64 WORKERS=3

check() {
  local name=$1; shift
  if "$@"; then echo "PASS $name"; passed=$((passed + 1)); else echo "FAIL $name"; failed=$((failed + 1)); fi
}

compose() { docker-compose -p "$project" "$@"; }

finish() {
  compose down -v -t 2 >/dev/null 2>&1
  if [ -n "$dockerd_pid" ]; then kill "$dockerd_pid" 2>/dev/null; wait "$dockerd_pid" 2>/dev/null; fi
  rm -rf "$work"
  echo "compose test cost: $((SECONDS - started)) s"
  echo "$passed passed, $failed failed"
}
trap finish EXIT

fatal() { echo "error: $*" >&2; failed=$((failed + 1)); exit 1; }

install_engine() {
  local missing=()
  command -v docker >/dev/null || missing+=(docker.io)
  command -v docker-compose >/dev/null || missing+=(docker-compose)
  if ! docker image inspect "$BASE_IMAGE" >/dev/null 2>&1 && [ ! -s /tmp/rootfs-bookworm.tar ]; then
    command -v debootstrap >/dev/null || missing+=(debootstrap)
  fi
  if [ ${#missing[@]} -gt 0 ]; then
    [ "$(id -u)" = 0 ] || fatal "need root to install ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null || fatal "apt-get install ${missing[*]} failed"
  fi
  if ! docker info >/dev/null 2>&1; then
    nohup dockerd --exec-opt native.cgroupdriver=cgroupfs --storage-driver overlay2 -H "$DOCKER_HOST" >/tmp/dockerd.log 2>&1 &
    dockerd_pid=$!
    for _ in $(seq 100); do docker info >/dev/null 2>&1 && break; sleep 0.2; done
    docker info >/dev/null 2>&1 || fatal "dockerd did not start (see /tmp/dockerd.log)"
  fi
}

base_image() {
  docker image inspect "$BASE_IMAGE" >/dev/null 2>&1 && return
  if [ ! -s /tmp/rootfs-bookworm.tar ]; then
    local mirror
    mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null)
    debootstrap --variant=minbase --include=ca-certificates,libicu72,libssl3 bookworm /tmp/rootfs "${mirror:-http://deb.debian.org/debian}" >/dev/null || fatal "debootstrap failed"
    rm -rf /tmp/rootfs/var/cache/apt/archives/*.deb /tmp/rootfs/var/lib/apt/lists/*
    tar -C /tmp/rootfs -cf /tmp/rootfs-bookworm.tar . && rm -rf /tmp/rootfs
  fi
  docker import /tmp/rootfs-bookworm.tar "$BASE_IMAGE" >/dev/null || fatal "docker import failed"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Outputs of one run are correct: finished over TLS, accurate, model on the host, same weights as the host reference.
outputs_ok() {
  python3 - "$1" "$2" <<'PY'
import json, os, sys
out, reference = sys.argv[1], sys.argv[2]
summary = json.load(open(os.path.join(out, "summary.json")))
expected = json.load(open(os.path.join(reference, "summary.json")))["weights_sha256"]
epochs = [json.loads(line) for line in open(os.path.join(out, "metrics.jsonl"))]
model = os.path.getsize(os.path.join(out, "model.safetensors"))
problems = []
if summary["epochs"] != 2 or len(epochs) != 2: problems.append(f"epochs {summary['epochs']}, {len(epochs)} metrics lines")
if summary["workers"] != 3: problems.append(f"workers {summary['workers']}")
if summary["final_test_accuracy"] < 0.90: problems.append(f"accuracy {summary['final_test_accuracy']}")
if model < 34622 * 4: problems.append(f"model.safetensors is {model} bytes")
config = summary["config"]
if config["tls"] != "/certs" or config["insecure"] or not config["listen"].startswith("https://"):
    problems.append(f"not mutual TLS: tls {config['tls']}, insecure {config['insecure']}, listen {config['listen']}")
if summary["weights_sha256"] != expected: problems.append(f"weights_sha256 {summary['weights_sha256']} != host {expected}")
print(f"  accuracy {summary['final_test_accuracy']:.4f}, wall {summary['wall_s']:.1f} s, "
      f"listen {config['listen']}, tls {config['tls']}")
print(f"  weights_sha256 {summary['weights_sha256']} (compose, TLS)")
print(f"  weights_sha256 {expected} (host, --insecure)")
for p in problems: print("  " + p)
sys.exit(1 if problems else 0)
PY
}

# Each role's volume holds the CA certificate and its own certificate and key, the key owned by the user the role's
# container runs as (10001) and readable by it alone; the CA's key is in neither.
role_certificates_ok() {
  local role=$1 listing
  listing=$(docker run --rm --entrypoint /bin/sh -v "${project}_tls-$role:/certs:ro" cnnd:local \
    -c 'stat -c "%n %a %u" /certs/*')
  echo "$listing" | sed 's/^/  /'
  [ "$listing" = "$(printf '/certs/ca.crt 644 0\n/certs/%s.crt 644 0\n/certs/%s.key 600 10001' "$role" "$role")" ]
}

certificates_kept() { compose logs --no-color certs | grep -q 'keeping the certificates'; }

# A one-off worker container (`docker-compose run worker ARGS...`) exits non-zero with one `error:` line, and the
# coordinator logs a refusal matching PATTERN.
worker_refused() {
  local pattern=$1 rc=0; shift
  compose run --rm --no-deps "$@" >"$work/refused.log" 2>&1 || rc=$?
  grep '^error:' "$work/refused.log" | sed "s/^/  exit $rc: /"
  compose logs --no-color coordinator | grep -E "$pattern" | tail -n 1 | sed 's/^ *//; s/^/  /'
  [ "$rc" -ne 0 ] && [ "$(grep -c '^error:' "$work/refused.log")" -eq 1 ] \
    && compose logs --no-color coordinator | grep -qE "$pattern"
}

container_exit_codes_ok() {
  local codes
  codes=$(compose ps -q | xargs -r docker inspect --format '{{.Name}} {{.State.ExitCode}}')
  echo "$codes" | sed 's/^/  /'
  [ "$(echo "$codes" | wc -l)" -eq 5 ] && ! echo "$codes" | grep -qv ' 0$'
}

wait_for_coordinator() {
  local id
  id=$(compose ps -q coordinator)
  timeout 300 docker wait "$id" >/dev/null
}

healthy() { [ "$(docker inspect --format '{{.State.Health.Status}}' "$1")" = healthy ]; }

wait_healthy() {
  for _ in $(seq 60); do healthy "$1" && return 0; sleep 0.5; done
  return 1
}

metrics_show_workers() {
  local body
  body=$(python3 -c "import urllib.request,sys; print(urllib.request.urlopen('http://127.0.0.1:$METRICS_HOST_PORT/metrics', timeout=5).read().decode())") || return 1
  echo "$body" | grep -E '^cnnd_workers_connected ' | sed 's/^/  /'
  echo "$body" | grep -qE "^cnnd_workers_connected $1\$"
}

fresh_out() { rm -rf "$1"; mkdir -p "$1"; chown 10001:10001 "$1" 2>/dev/null || chmod 0777 "$1"; }

install_engine
base_image

step=$SECONDS
for csproj in ../src/Coordinator/Coordinator.csproj ../src/Worker/Worker.csproj; do
  dotnet publish "$csproj" -c Release -r linux-x64 --self-contained -o .publish -v quiet -nologo >"$work/publish.log" 2>&1 \
    || { cat "$work/publish.log"; fatal "dotnet publish of $csproj failed"; }
done
echo "publish: $((SECONDS - step)) s"

step=$SECONDS
./.publish/cnnd train --insecure --workers 3 --threads 1 --data ../data/mnist-sample --out "$work/reference" --quiet \
  >"$work/reference.log" 2>&1 || { cat "$work/reference.log"; fatal "host reference run failed"; }
echo "host reference (cnnd train --insecure --workers 3): $((SECONDS - step)) s"

check "compose file valid" docker-compose config -q
check "compose file + GPU override valid" docker-compose -f docker-compose.yml -f docker-compose.gpu.yml config -q

step=$SECONDS
compose build -q >"$work/build.log" 2>&1 || { cat "$work/build.log"; fatal "image build failed"; }
echo "image build: $((SECONDS - step)) s"

# Run 1: the certificates, then coordinator and 3 workers at once.
step=$SECONDS
export OUT="$work/out-3" METRICS_HOST_PORT
METRICS_HOST_PORT=$(free_port)
fresh_out "$OUT"
compose up -d >/dev/null 2>&1 || fatal "docker-compose up failed"
wait_for_coordinator
echo "run with 3 workers: $((SECONDS - step)) s"
compose logs --no-color coordinator | tail -n 4 | sed 's/^/  /'
check "3 workers: every container exited 0" container_exit_codes_ok
check "3 workers: over TLS, outputs on the host, accuracy >= 0.90, weights equal the host's --insecure run" \
  outputs_ok "$OUT" "$work/reference"
compose down -t 2 >/dev/null 2>&1
check "coordinator's volume: CA certificate and its own key only, 0600 for uid 10001" role_certificates_ok coordinator
check "workers' volume: CA certificate and their own key only, 0600 for uid 10001" role_certificates_ok worker

# Run 2: two workers first, the third 8 s later; meanwhile check health, metrics and that strangers are refused.
# The volumes of run 1 remain, so the certs service keeps the certificates it made then.
step=$SECONDS
export OUT="$work/out-late"
METRICS_HOST_PORT=$(free_port)
fresh_out "$OUT"
compose up -d --scale worker=2 >/dev/null 2>&1 || fatal "docker-compose up failed"
coordinator=$(compose ps -q coordinator)
check "coordinator container healthy (grpc.health.v1)" wait_healthy "$coordinator"
check "worker container healthy (grpc.health.v1 on --health-port)" wait_healthy "$(compose ps -q worker | head -n 1)"
check "certs service kept the certificates of run 1" certificates_kept
check "plaintext worker (--insecure, http://) refused" worker_refused 'Refused a connection .* does not speak TLS' \
  -e CNND_TLS= worker --insecure --coordinator http://coordinator:5000 --connect-attempts 1 --reconnect-timeout 0
check "worker with another CA's certificate refused" \
  worker_refused "Refused a TLS connection .* not issued by this run's CA" \
  --entrypoint /bin/sh worker -c 'cnnd certs create --out /tmp/other --host coordinator >/dev/null &&
    exec cnnd-worker --tls /tmp/other --connect-attempts 1 --reconnect-timeout 0'
sleep 2
check "/metrics: 2 workers connected while waiting for the third" metrics_show_workers 2
sleep $((8 - (SECONDS - step) > 0 ? 8 - (SECONDS - step) : 0))
compose up -d --no-recreate --scale worker=3 >/dev/null 2>&1 || fatal "scaling to 3 workers failed"
wait_for_coordinator
echo "run with a late third worker: $((SECONDS - step)) s"
check "late worker: every container exited 0" container_exit_codes_ok
check "late worker: over TLS, outputs on the host, accuracy >= 0.90, weights equal the host's --insecure run" \
  outputs_ok "$OUT" "$work/reference"
compose down -t 2 >/dev/null 2>&1

[ "$failed" -eq 0 ]

#!/usr/bin/env bash
# Hostile peers against a live coordinator (issue #20 item 8): a real `cnnd serve --tls` job with two honest
# `cnnd-worker`s is attacked while it trains by an independent attacker (Node.js, @grpc/grpc-js, attack.js); then the
# same job runs without the attacker (`cnnd train --workers 2`, the same result-deciding flags) and the two
# weights_sha256 must be equal (docs/determinism.md). Final line:
#   hostile: A attacks, R refused, weights unchanged|changed
# exit 0 only when every attack was refused and the weights are unchanged.
#
# usage: tests/hostile/run.sh [--keep] [--only NAME[,NAME]]
#   --keep     keep the temp folder with the logs and outputs
#   --only     play only these attacks (node attack.js --list names them)
# environment: HOSTILE_TRAIN_FLAGS (default below), HOSTILE_CONNECTIONS (the flood, default 1000),
#              HOSTILE_TIMEOUT (seconds for the whole attacked job, default 150)
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
ONLY=()
KEEP=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --keep) KEEP=1 ;;
    --only) ONLY=(--only "${2:?--only needs names}"); shift ;;
    -h|--help) sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "hostile: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

# The job: long enough (tens of seconds on two shared cores) for every attack to meet a coordinator that is still
# training. Only result-deciding flags go here; both runs get exactly these.
TRAIN_FLAGS=(${HOSTILE_TRAIN_FLAGS:---epochs 60 --max-steps 7500 --batch-size 64 --seed 1})
LR=0.1
for ((i = 0; i < ${#TRAIN_FLAGS[@]}; i++)); do
  [[ ${TRAIN_FLAGS[$i]} == --lr ]] && LR=${TRAIN_FLAGS[$((i + 1))]}
done
CONNECTIONS=${HOSTILE_CONNECTIONS:-1000}
JOB_TIMEOUT=${HOSTILE_TIMEOUT:-150}

START=$SECONDS
WORK=$(mktemp -d "${TMPDIR:-/tmp}/cnnd-hostile.XXXXXX")
PIDS=()

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null
  done
  for pid in "${PIDS[@]}"; do
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    kill -KILL "$pid" 2>/dev/null
  done
  if [[ $KEEP == 1 ]]; then
    echo "hostile: logs and outputs kept in $WORK" >&2
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

show_logs() {
  local f
  for f in "$WORK"/*.log; do
    [[ -s $f ]] || continue
    echo "----- tail of $(basename "$f") -----" >&2
    tail -n 25 "$f" >&2
  done
}

# Infrastructure failure: not a verdict on the coordinator.
die() {
  echo "hostile: error: $*" >&2
  show_logs
  echo "hostile: error after $((SECONDS - START)) s: $*"
  exit 1
}

# Waits up to $2 seconds for the extended regex $3 in file $1; prints the first match.
wait_for_line() {
  local file=$1 seconds=$2 pattern=$3 pid=${4:-}
  local deadline=$((SECONDS + seconds))
  while ((SECONDS < deadline)); do
    if grep -m1 -oE "$pattern" "$file" 2>/dev/null; then
      return 0
    fi
    if [[ -n $pid ]] && ! kill -0 "$pid" 2>/dev/null; then
      return 1
    fi
    sleep 0.2
  done
  return 1
}

# Waits up to $2 seconds for process $1 to exit; returns its status, 124 on timeout.
wait_pid() {
  local pid=$1 seconds=$2
  local deadline=$((SECONDS + seconds))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      return 124
    fi
    sleep 0.2
  done
  wait "$pid"
}

command -v dotnet >/dev/null || die "dotnet not found"
command -v node >/dev/null || die "node not found"

# --- build only what is missing or older than its sources ---
CNND_DLL=$ROOT/src/Coordinator/bin/Release/net10.0/cnnd.dll
WORKER_DLL=$ROOT/src/Worker/bin/Release/net10.0/cnnd-worker.dll
SOURCES=("$ROOT/src" "$ROOT/protos" "$ROOT/Directory.Build.props" "$ROOT/Directory.Packages.props" "$ROOT/global.json")
stale() {
  [[ -f $1 ]] || return 0
  [[ -n $(find "${SOURCES[@]}" \( -name bin -o -name obj \) -prune -o -type f \
    \( -name '*.cs' -o -name '*.csproj' -o -name '*.proto' -o -name '*.props' -o -name '*.json' \) \
    -newer "$1" -print -quit 2>/dev/null) ]]
}
for project in Coordinator Worker; do
  dll=$CNND_DLL
  [[ $project == Worker ]] && dll=$WORKER_DLL
  if stale "$dll"; then
    echo "hostile: building src/$project (Release)"
    timeout 600 dotnet build -c Release "$ROOT/src/$project/$project.csproj" -nologo -v q >"$WORK/build-$project.log" 2>&1 \
      || die "dotnet build of src/$project failed"
  fi
done

# --- the attacker's packages, pinned by package-lock.json ---
if [[ ! -f $HERE/node_modules/.package-lock.json || $HERE/package-lock.json -nt $HERE/node_modules/.package-lock.json ]]; then
  (cd "$HERE" && timeout 300 npm ci --no-audit --no-fund --loglevel=error) >"$WORK/npm.log" 2>&1 || die "npm ci failed"
fi

cnnd() { dotnet "$CNND_DLL" "$@"; }

# --- certificates: the run's, and a foreign CA's for the impostor ---
cnnd certs create --out "$WORK/certs" --workers 2 >"$WORK/certs.log" 2>&1 || die "cnnd certs create failed"
cnnd certs create --out "$WORK/foreign" >>"$WORK/certs.log" 2>&1 || die "cnnd certs create (foreign CA) failed"

# --- the attacked job ---
echo "hostile: job ${TRAIN_FLAGS[*]}; attacker with ${CONNECTIONS}-connection flood"
exec_cnnd() { exec dotnet "$CNND_DLL" "$@"; }
# exec: $! is the coordinator's own process, whose peak memory is reported after the attacks. Every result is
# spot-checked (--verify-fraction 1, which does not change the weights): a plausible wrong gradient is refused the
# first time, not within about 1/F results, so the weights can be compared with the run without the attacker.
(exec_cnnd serve --tls "$WORK/certs" --listen https://127.0.0.1:0 --metrics-port 0 --expect-workers 2 \
  --verify-fraction 1 --join-timeout 60 --worker-wait-timeout 30 --checkpoint-every 0 "${TRAIN_FLAGS[@]}" --out "$WORK/attacked" \
  >"$WORK/serve.log" 2>&1) &
SERVE=$!
PIDS+=("$SERVE")
PORT=$(wait_for_line "$WORK/serve.log" 30 'listening on https://127\.0\.0\.1:[0-9]+' "$SERVE" | grep -oE '[0-9]+$') \
  || die "cnnd serve did not start listening"
for i in 1 2; do
  dotnet "$WORKER_DLL" --coordinator "https://127.0.0.1:$PORT" --tls "$WORK/certs" --tls-name "worker-$i" --threads 1 \
    >"$WORK/worker-$i.log" 2>&1 &
  PIDS+=("$!")
done
KIND=$(wait_for_line "$WORK/serve.log" 60 "The job's device kind is [A-Za-z0-9._-]+" "$SERVE" | awk '{print $NF}') \
  || die "the job did not start training (no device kind sealed)"
echo "hostile: coordinator on 127.0.0.1:$PORT training on $KIND; attacking"

(cd "$HERE" && timeout $((JOB_TIMEOUT + 30)) node --no-deprecation attack.js --port "$PORT" --certs "$WORK/certs" \
  --foreign "$WORK/foreign" --device-kind "$KIND" --lr "$LR" --connections "$CONNECTIONS" \
  --report "$WORK/attack.json" "${ONLY[@]}") 2> "$WORK/attacker.log" | tee "$WORK/attacker.out"
ATTACK_RC=${PIPESTATUS[0]}
[[ -f $WORK/attack.json ]] || die "the attacker did not finish (exit $ATTACK_RC)"
echo "hostile: coordinator peak resident memory after the attacks: $(awk '/^VmHWM/ {print $2, $3}' "/proc/$SERVE/status")"

wait_pid "$SERVE" "$JOB_TIMEOUT"
SERVE_RC=$?
ATTACKED_SHA=none
if [[ $SERVE_RC == 0 && -f $WORK/attacked/summary.json ]]; then
  ATTACKED_SHA=$(grep -oE '"weights_sha256": *"[0-9a-f]+"' "$WORK/attacked/summary.json" | grep -oE '[0-9a-f]{64}')
else
  echo "hostile: the attacked job did not finish cleanly (exit $SERVE_RC)" >&2
fi

# docs/security.md, "Logs and secrets": no stack traces or exception type names in logs. Reported, not judged.
TRACES=$(grep -cE '(Exception: | at [A-Z][A-Za-z0-9_.]+\.[A-Za-z0-9_]+\()' "$WORK/serve.log")
if [[ $TRACES -gt 0 ]]; then
  echo "hostile: note: serve's log holds $TRACES lines with exception type names or stack traces, e.g.:" >&2
  grep -m2 -E '(Exception: | at [A-Z][A-Za-z0-9_.]+\.[A-Za-z0-9_]+\()' "$WORK/serve.log" | cut -c1-240 >&2
fi

# --- the same job, no attacker ---
timeout 300 dotnet "$CNND_DLL" train --workers 2 "${TRAIN_FLAGS[@]}" --checkpoint-every 0 --quiet \
  --out "$WORK/reference" >"$WORK/reference.log" 2>&1 || die "the reference job (cnnd train --workers 2) failed"
REFERENCE_SHA=$(grep -oE '"weights_sha256": *"[0-9a-f]+"' "$WORK/reference/summary.json" | grep -oE '[0-9a-f]{64}')

read -r ATTACKS REFUSED TRAINING < <(node -e '
  const r = require(process.argv[1]);
  console.log(r.attacks, r.refused, r.still_training);' "$WORK/attack.json")
echo "hostile: attacked job weights_sha256 $ATTACKED_SHA, reference $REFERENCE_SHA; $((SECONDS - START)) s"
VERDICT="weights changed"
[[ $ATTACKED_SHA == "$REFERENCE_SHA" ]] && VERDICT="weights unchanged"
if [[ $TRAINING != true ]]; then
  echo "hostile: the job had finished before the attacks did; raise --max-steps in HOSTILE_TRAIN_FLAGS" >&2
fi
OK=0
[[ $ATTACKS -gt 0 && $REFUSED == "$ATTACKS" && $VERDICT == "weights unchanged" && $TRAINING == true ]] && OK=1
if [[ $OK != 1 ]]; then
  show_logs
fi
echo "hostile: $ATTACKS attacks, $REFUSED refused, $VERDICT"
[[ $OK == 1 ]]

#!/usr/bin/env bash
# The GPU engine's OpenCL backend run for real, with no GPU (docs/gpu.md): a container image made from a Debian 13
# (trixie) rootfs with PoCL 6 (pocl-opencl-icd; Debian 12's PoCL 3.1 lacks the generic address space ILGPU's OpenCL
# backend needs), built like the compose images (debootstrap, docker import, no registry), runs the self-contained
# publish of cnnd and cnnd-gpu-check:
#   - the agreement checks with --device opencl (gradients and evaluation against the double reference, 20 SGD steps
#     against the CPU engine);
#   - cnnd train --device opencl with 1 and with 2 workers: the same weights_sha256 (determinism on one device kind
#     holds on a real parallel runtime);
#   - cnnd train --device auto does not take PoCL (an OpenCL device of type CPU) and says so in its first line and in
#     summary.json;
#   - docker-compose with compose/docker-compose.opencl.yml: a coordinator and 2 worker containers on --device opencl,
#     over mutual TLS, giving the weights_sha256 of the train runs.
# Last line: `opencl: checks passed, max |Δ| vs cpu X after 20 steps, weights_sha256 1 worker == 2 workers`, exit 0;
# otherwise a line saying what failed, exit 1. The rootfs is cached in $CNND_CACHE (default ~/.cache/cnnd).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
started=$SECONDS

cache=${CNND_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cnnd}
rootfs=$cache/rootfs-trixie-pocl.tar
image=localhost/cnnd-opencl:trixie
export DOCKER_HOST=${DOCKER_HOST:-unix:///var/run/docker.sock}
dockerd_pid=""
work=$(mktemp -d /tmp/cnnd-opencl.XXXXXX)
finish() {
    if [[ -n $dockerd_pid ]]; then
        kill "$dockerd_pid" 2>/dev/null
        wait "$dockerd_pid" 2>/dev/null
    fi
    rm -rf "$work"
}
trap finish EXIT
fail() {
    echo "opencl: FAILED: $*"
    exit 1
}

missing=()
command -v docker >/dev/null || missing+=(docker.io)
command -v docker-compose >/dev/null || missing+=(docker-compose)
command -v debootstrap >/dev/null || missing+=(debootstrap)
if ((${#missing[@]})); then
    ((EUID == 0)) || fail "need root to install ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if ! docker info >/dev/null 2>&1; then
    nohup dockerd --exec-opt native.cgroupdriver=cgroupfs --storage-driver overlay2 -H "$DOCKER_HOST" \
        >"$work/dockerd.log" 2>&1 &
    dockerd_pid=$!
    for _ in $(seq 100); do docker info >/dev/null 2>&1 && break; sleep 0.2; done
    docker info >/dev/null 2>&1 || fail "dockerd did not start: $(tail -n 3 "$work/dockerd.log")"
fi

if ! docker image inspect "$image" >/dev/null 2>&1; then
    if [[ ! -s $rootfs ]]; then
        echo "opencl: building the Debian 13 rootfs with PoCL (debootstrap, once)"
        mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
        debootstrap --variant=minbase \
            --include=ca-certificates,libicu76,libssl3t64,pocl-opencl-icd,ocl-icd-libopencl1 \
            trixie "$work/rootfs" "${mirror:-http://deb.debian.org/debian}" >"$work/debootstrap.log" 2>&1 ||
            fail "debootstrap trixie: $(tail -n 3 "$work/debootstrap.log")"
        rm -rf "$work"/rootfs/var/cache/apt/archives/*.deb "$work"/rootfs/var/lib/apt/lists/*
        mkdir -p "$cache"
        tar -C "$work/rootfs" -cf "$rootfs.partial" . && mv "$rootfs.partial" "$rootfs"
        rm -rf "$work/rootfs"
    fi
    docker import "$rootfs" "$image" >/dev/null || fail "docker import $rootfs"
fi

echo "opencl: publishing cnnd and cnnd-gpu-check (self-contained)"
bundle=publish/opencl
rm -rf "$bundle"
for project in tests/GpuCheck src/Coordinator src/Worker; do
    dotnet publish "$project" -c Release -r linux-x64 --self-contained -p:PublishTrimmed=false -o "$bundle" \
        --nologo -v quiet >"$work/publish.log" 2>&1 || fail "dotnet publish $project: $(grep -m3 error "$work/publish.log")"
done

# One container per command: the publish and the sample data read-only, outputs in the container's /tmp.
in_container() {
    docker run --rm --network none -v "$root/$bundle:/app:ro" -v "$root/data:/work/data:ro" -w /work \
        -e DOTNET_CLI_TELEMETRY_OPTOUT=1 "$image" "$@"
}

echo "opencl: agreement checks (cnnd-gpu-check agree --device opencl)"
in_container /app/cnnd-gpu-check agree --device opencl --data data/mnist-sample >"$work/agree.log" 2>&1 || true
cat "$work/agree.log"
grep -q '^gpu-check: all checks passed' "$work/agree.log" || fail "the agreement checks (above)"
drift=$(sed -n 's/^PASS 20 SGD steps.*max weight difference \([^ ]*\) .*/\1/p' "$work/agree.log")

declare -A sha
for workers in 1 2; do
    in_container sh -c "/app/cnnd train --device opencl --workers $workers --epochs 1 --max-steps 40 --quiet \
        --out /tmp/run && cat /tmp/run/summary.json" >"$work/train-$workers.log" 2>&1 ||
        fail "cnnd train --device opencl --workers $workers: $(tail -n 3 "$work/train-$workers.log")"
    sha[$workers]=$(grep -oE '"weights_sha256": *"[0-9a-f]{64}"' "$work/train-$workers.log" | grep -oE '[0-9a-f]{64}')
    device=$(grep -oE '"device": *"[^"]*"' "$work/train-$workers.log" | head -n 1)
    echo "opencl: train --workers $workers: ${device}, weights_sha256 ${sha[$workers]}"
done
[[ -n ${sha[1]} && ${sha[1]} == "${sha[2]}" ]] || fail "weights_sha256 differ: 1 worker ${sha[1]}, 2 workers ${sha[2]}"

# --device auto with PoCL installed: the CPU engine, and the reason on the first line and in summary.json.
in_container sh -c "/app/cnnd train --device auto --workers 1 --epochs 1 --max-steps 2 --out /tmp/run && echo && \
    cat /tmp/run/summary.json" >"$work/auto.log" 2>&1 || fail "cnnd train --device auto: $(tail -n 3 "$work/auto.log")"
first=$(head -n 1 "$work/auto.log")
echo "opencl: train --device auto: $first"
[[ $first == "device: auto: chose cpu (OpenCL device "*" is a CPU device"* ]] ||
    fail "--device auto did not refuse PoCL's CPU device on its first line: $first"
grep -qF "\"device_choice\": \"${first#device: }\"" "$work/auto.log" || fail "summary.json's device_choice is not '${first#device: }'"
grep -qE '"device": *"cpu-' "$work/auto.log" || fail "--device auto did not train on the CPU engine"

# The same job from docker-compose: a coordinator and 2 worker containers with --device opencl over mutual TLS.
echo "opencl: docker-compose, 2 workers on --device opencl (compose/docker-compose.opencl.yml)"
rm -rf compose/.publish && cp -a "$bundle" compose/.publish
compose_out=$work/compose-out
mkdir -p "$compose_out" && chown 10001:10001 "$compose_out"
compose() {
    BASE_IMAGE=$image WORKERS=2 CNND_EPOCHS=1 CNND_MAX_STEPS=40 OUT=$compose_out METRICS_HOST_PORT=$metrics_port \
        docker-compose -p "cnndopencl$$" -f compose/docker-compose.yml -f compose/docker-compose.opencl.yml "$@"
}
metrics_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
compose build -q >"$work/compose.log" 2>&1 || fail "docker-compose build: $(tail -n 3 "$work/compose.log")"
compose up -d >>"$work/compose.log" 2>&1 || fail "docker-compose up: $(tail -n 3 "$work/compose.log")"
code=$(timeout 300 docker wait "$(compose ps -q coordinator)") || code=timeout
compose logs --no-color >"$work/compose-services.log" 2>&1
compose down -v -t 2 >/dev/null 2>&1
[[ $code == 0 ]] || fail "the compose coordinator ended with $code: $(grep -m 3 -i 'error' "$work/compose-services.log")"
compose_summary=$compose_out/summary.json
compose_device=$(grep -oE '"device": *"[^"]*"' "$compose_summary" | head -n 1)
compose_sha=$(grep -oE '"weights_sha256": *"[0-9a-f]{64}"' "$compose_summary" | grep -oE '[0-9a-f]{64}')
echo "opencl: compose, 2 workers: ${compose_device}, weights_sha256 $compose_sha"
[[ $compose_device == *'"opencl-'* ]] || fail "the compose workers did not compute on OpenCL: $compose_device"
[[ $compose_sha == "${sha[1]}" ]] || fail "compose weights_sha256 $compose_sha != train's ${sha[1]}"

echo "opencl: $((SECONDS - started)) s"
echo "opencl: checks passed, max |Δ| vs cpu $drift after 20 steps, weights_sha256 1 worker == 2 workers"

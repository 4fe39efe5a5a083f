#!/usr/bin/env bash
# The GPU engine's OpenCL backend run for real, with no GPU (docs/gpu.md): a container image made from a Debian 13
# (trixie) rootfs with PoCL 6 (pocl-opencl-icd; Debian 12's PoCL 3.1 lacks the generic address space ILGPU's OpenCL
# backend needs), built like the compose images (debootstrap, docker import, no registry), runs the self-contained
# publish of cnnd and cnnd-gpu-check:
#   - the agreement checks with --device opencl (gradients and evaluation against the double reference, 20 SGD steps
#     against the CPU engine);
#   - cnnd train --device opencl with 1 and with 2 workers: the same weights_sha256 (determinism on one device kind
#     holds on a real parallel runtime).
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
for project in tests/GpuCheck src/Coordinator; do
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

echo "opencl: $((SECONDS - started)) s"
echo "opencl: checks passed, max |Δ| vs cpu $drift after 20 steps, weights_sha256 1 worker == 2 workers"

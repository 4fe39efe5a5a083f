#!/usr/bin/env bash
# GPU checks for a machine with an NVIDIA GPU and no .NET (about 2–4 minutes on an H200).
#
# Prepare on a machine with the .NET SDK, from the repository root:
#   dotnet publish tests/GpuCheck -c Release -r linux-x64 --self-contained -p:PublishTrimmed=false -o publish/gpu-check
#   dotnet publish src/Coordinator -c Release -r linux-x64 --self-contained -p:PublishTrimmed=false -o publish/gpu-check
#   tar -C publish -cJf publish/gpu-check.tar.xz gpu-check      # ~27 MB (84 MB unpacked): fits the 64 MiB carry limit
# Carry publish/gpu-check.tar.xz with the working tree (it holds data/mnist-sample) and run:
#   bash scripts/gpu-check.sh
# Never publish trimmed: trimming breaks ILGPU (its intrinsics and BCL remapping use reflection).
#
# It runs, in order: the GPU agreement checks (gradients and evaluation against the double reference,
# determinism, 20 SGD steps against the CPU engine), 3 epochs on data/mnist-sample with --device cuda
# against the CPU engine, and bench samples/s for batch 64, 256 and 1024 on cuda next to the CPU engine.
# Where the bundle also holds the cnnd CLI with --device, it trains 3 epochs through it on cuda and cpu too.
set -euo pipefail
cd "$(dirname "$0")/.."

bundle=publish/gpu-check
if [[ ! -x $bundle/cnnd-gpu-check ]]; then
    if [[ -f publish/gpu-check.tar.xz ]]; then
        tar -C publish -xJf publish/gpu-check.tar.xz
    else
        echo "error: publish/gpu-check.tar.xz or $bundle/cnnd-gpu-check not found (see the header of $0)" >&2
        exit 2
    fi
fi

export DOTNET_TieredPGO=1
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
status=0

echo "== agreement checks, 3-epoch training comparison and bench (cnnd-gpu-check)"
timeout 240 "$bundle/cnnd-gpu-check" all --device cuda --data data/mnist-sample --epochs 3 --seconds 3 || status=$?

if [[ -x $bundle/cnnd ]] && "$bundle/cnnd" train --help 2>&1 | grep -q -- '--device'; then
    echo "== cnnd train, 3 epochs, cuda vs cpu"
    out=$(mktemp -d)
    for device in cuda cpu; do
        timeout 120 "$bundle/cnnd" train --device "$device" --epochs 3 --data data/mnist-sample --quiet --out "$out/$device" || status=$?
        grep -o '"final_test_accuracy":[^,]*' "$out/$device/summary.json" | sed "s/^/$device: /" || status=1
    done
fi

echo "gpu-check.sh: exit $status"
exit "$status"

#!/usr/bin/env bash
# GPU checks for a machine with an NVIDIA GPU and no .NET, in one run of under 5 minutes (README "GPU").
#
# Prepare on a machine with the .NET SDK, from the repository root:
#   dotnet publish tests/GpuCheck -c Release -r linux-x64 --self-contained -p:PublishTrimmed=false -o publish/gpu-check
#   dotnet publish src/Coordinator -c Release -r linux-x64 --self-contained -p:PublishTrimmed=false -o publish/gpu-check
#   scripts/ptx-check.sh > publish/gpu-check/ptxas.txt  # the kernels' registers and spills, by NVIDIA's ptxas
#   tar -C publish -cJf publish/gpu-check.tar.xz gpu-check      # ~27 MB (84 MB unpacked): fits the 64 MiB carry limit
# Carry publish/gpu-check.tar.xz with the working tree (it holds data/mnist-sample) and run:
#   bash scripts/gpu-check.sh
# Never publish trimmed: trimming breaks ILGPU (its intrinsics and BCL remapping use reflection).
#
# It prints, in order: the GPU, the ptxas register table of every kernel (from the bundle), the GPU agreement checks
# (gradients and evaluation against the double reference, determinism, 20 SGD steps against the CPU engine), 3 epochs
# on data/mnist-sample with --device cuda against the CPU engine, and bench lines (samples/s, launches and bytes per
# step) for batch 64, 256, 1024 and 4096 on cuda next to the CPU engine; then, where the bundle holds the cnnd CLI,
# 3 epochs through `cnnd train` on cuda and on cpu. The last line is `gpu-check.sh: exit S` (0: every check passed).
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

echo "== registers per thread, spills and shared memory per kernel (ptxas -arch=sm_90, at publish time)"
if [[ -f $bundle/ptxas.txt ]]; then
    grep -vE '^ptx: (fetching|writing)' "$bundle/ptxas.txt"
else
    echo "(not in the bundle: run scripts/ptx-check.sh > publish/gpu-check/ptxas.txt before packing it)"
fi

echo "== agreement checks, 3-epoch training comparison and bench (cnnd-gpu-check)"
timeout 200 "$bundle/cnnd-gpu-check" all --device cuda --data data/mnist-sample --epochs 3 --seconds 3 || status=$?

if [[ -x $bundle/cnnd ]] && "$bundle/cnnd" train --help 2>&1 | grep -q -- '--device'; then
    echo "== cnnd train, 3 epochs, cuda vs cpu"
    out=$(mktemp -d)
    for device in cuda cpu; do
        timeout 40 "$bundle/cnnd" train --device "$device" --epochs 3 --data data/mnist-sample --quiet --out "$out/$device" || status=$?
        grep -o '"final_test_accuracy":[^,]*' "$out/$device/summary.json" | sed "s/^/$device: /" || status=1
    done
fi

echo "gpu-check.sh: exit $status"
exit "$status"

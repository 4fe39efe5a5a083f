#!/usr/bin/env bash
# Assembles every GPU kernel's PTX with NVIDIA's ptxas for Hopper (sm_90), with no GPU and no CUDA install
# (docs/gpu.md). ptxas comes from Debian 12's non-free nvidia-cuda-toolkit 11.8 package, fetched with apt-get download
# through a private apt state (the machine's apt sources stay as they are), unpacked with dpkg -x into a cache
# (never committed: NVIDIA's licence) and reused by later runs and by the register-budget test.
#
#   scripts/ptx-check.sh            # prints the register table; the last line:
#   ptx: K kernels assembled for sm_90, S spill bytes, max R registers (KERNEL)
#
# Exit 0 only when every kernel assembles with no spill. Cache: $CNND_CACHE (default ~/.cache/cnnd)/ptxas.
set -euo pipefail
cd "$(dirname "$0")/.."

cache=${CNND_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cnnd}/ptxas
ptxas=$cache/usr/bin/ptxas
if [[ ! -x $ptxas ]]; then
    echo "ptx: fetching ptxas (Debian 12 non-free nvidia-cuda-toolkit, about 84 MB, once)"
    state=$(mktemp -d)
    mkdir -p "$state/sources" "$state/lists/partial"
    mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
    printf 'Types: deb\nURIs: %s\nSuites: bookworm\nComponents: non-free\nSigned-By: %s\n' \
        "${mirror:-http://deb.debian.org/debian}" /usr/share/keyrings/debian-archive-keyring.gpg \
        >"$state/sources/non-free.sources"
    apt=(-o Dir::Etc::sourcelist=/dev/null -o "Dir::Etc::sourceparts=$state/sources" -o "Dir::State::Lists=$state/lists"
        -o APT::Sandbox::User=root)
    apt-get "${apt[@]}" update -qq
    (cd "$state" && apt-get "${apt[@]}" download nvidia-cuda-toolkit >/dev/null 2>&1)
    rm -rf "$cache" && mkdir -p "$cache"
    dpkg -x "$state"/nvidia-cuda-toolkit_*.deb "$state/unpacked"
    mkdir -p "$cache/usr/bin" && cp "$state/unpacked/usr/bin/ptxas" "$cache/usr/bin/"
    rm -rf "$state"
fi
"$ptxas" --version | tail -n 1

echo "ptx: writing every kernel's PTX (cnnd-gpu-check ptx, PTX ISA 7.8)"
ptx=$(mktemp -d)
trap 'rm -rf "$ptx"' EXIT
dotnet build tests/GpuCheck -c Release --nologo -v quiet >/dev/null
dotnet tests/GpuCheck/bin/Release/net10.0/cnnd-gpu-check.dll ptx --out "$ptx" >/dev/null

kernels=0 spills=0 max=0 widest=none failed=0
printf '%-56s %9s %11s %10s\n' kernel registers "spill bytes" "smem bytes"
for file in "$ptx"/*.ptx; do
    kernel=$(basename "$file" .ptx)
    if ! report=$("$ptxas" -arch=sm_90 -v "$file" -o /dev/null 2>&1); then
        echo "$report" >&2
        echo "error: ptxas refused $kernel" >&2
        failed=1
        continue
    fi
    registers=$(sed -n 's/.*Used \([0-9]*\) registers.*/\1/p' <<<"$report")
    smem=$(sed -n 's/.*registers, \([0-9]*\) bytes smem.*/\1/p' <<<"$report")
    spill=$(sed -n 's/.* \([0-9]*\) bytes spill stores, \([0-9]*\) bytes spill loads.*/\1 \2/p' <<<"$report" |
        awk '{s += $1 + $2} END {print s + 0}')
    printf '%-56s %9s %11s %10s\n' "$kernel" "$registers" "$spill" "${smem:-0}"
    kernels=$((kernels + 1))
    spills=$((spills + spill))
    if ((registers > max)); then
        max=$registers widest=$kernel
    fi
done
((spills == 0)) || echo "error: $spills spill bytes (see the table)" >&2
echo "ptx: $kernels kernels assembled for sm_90, $spills spill bytes, max $max registers ($widest)"
((failed == 0 && spills == 0))

#!/usr/bin/env bash
# Runs the libtorch anchor benchmark. libtorch 2.10 (TorchSharp-cpu 0.107) needs glibc ≥ 2.38 and
# GLIBCXX_3.4.32, newer than Debian 12's, so it runs in a Debian 13 (trixie) chroot with the host's .NET.
# Usage: bench/TorchSharpAnchor/run.sh [seconds] [threads,...] [batch,...]   (as root)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=${TRIXIE_ROOT:-/tmp/trixie}
dotnet build "$here" -c Release >/dev/null
if [ ! -x "$root/usr/bin/env" ]; then
  command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap >/dev/null
  debootstrap --variant=minbase --include=libicu76,ca-certificates trixie "$root" http://deb.debian.org/debian >/dev/null
fi
mkdir -p "$root/usr/share/dotnet" "$root/work/anchor"
mountpoint -q "$root/proc" || mount -t proc proc "$root/proc"
mountpoint -q "$root/usr/share/dotnet" || mount --bind "$(dirname "$(readlink -f "$(command -v dotnet)")")" "$root/usr/share/dotnet"
mountpoint -q "$root/work/anchor" || mount --bind "$here/bin/Release/net10.0/linux-x64" "$root/work/anchor"
chroot "$root" /usr/share/dotnet/dotnet /work/anchor/TorchSharpAnchor.dll "$@"

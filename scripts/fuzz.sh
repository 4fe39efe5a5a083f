#!/usr/bin/env bash
# Coverage-guided fuzzing of every parser that takes bytes from outside (docs/fuzzing.md), with SharpFuzz and afl-fuzz.
#
#   scripts/fuzz.sh [--seconds S | --execs N] [TARGET...]
#
# Installs afl++ (apt-get, as root) and the sharpfuzz tool (dotnet tool restore) when missing, builds
# fuzz/CnnDistributed.Fuzz in Release, copies it to fuzz/out/bin and instruments the product assemblies there, then
# runs afl-fuzz for S seconds (default 30), or for about N executions, on each TARGET (default: all), seeded from
# fuzz/corpus/TARGET. Findings land in fuzz/out/TARGET/default/{crashes,hangs}. The last line is
# 'fuzz: T targets, N execs, C crashes' (C counts saved crashes and hangs); the exit status is 0 only when C is 0.
set -euo pipefail
cd "$(dirname "$0")/.."

all=(worker-message coordinator-message http2-frames hpack idx safetensors checkpoint)
budget=(-V 30)
targets=()
while (($#)); do
    case $1 in
        --seconds | --execs)
            [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || { echo "error: $1 needs a positive whole number" >&2; exit 2; }
            [[ $1 == --seconds ]] && budget=(-V "$2") || budget=(-E "$2")
            shift 2
            ;;
        -h | --help)
            sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        *)
            if [[ ! -d fuzz/corpus/$1 ]]; then
                echo "error: unknown target '$1' (targets: ${all[*]})" >&2
                exit 2
            fi
            targets+=("$1")
            shift
            ;;
    esac
done
((${#targets[@]})) || targets=("${all[@]}")

if ! command -v afl-fuzz >/dev/null; then
    if ((EUID != 0)); then
        echo "error: afl-fuzz not found; install afl++ (apt-get install afl++)" >&2
        exit 2
    fi
    echo "fuzz: installing afl++"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq afl++ >/dev/null
fi
dotnet tool restore >/dev/null

out=fuzz/out
bin=$out/bin
echo "fuzz: building fuzz/CnnDistributed.Fuzz (Release)"
rm -rf "$bin"
mkdir -p "$out"
if ! dotnet build fuzz/CnnDistributed.Fuzz -c Release --nologo >"$out/build.log" 2>&1; then
    grep -E 'error|warn' "$out/build.log" >&2 || tail -n 20 "$out/build.log" >&2
    exit 1
fi
cp -r fuzz/CnnDistributed.Fuzz/bin/Release/net10.0 "$bin"
for assembly in CnnDistributed.Core CnnDistributed.Protocol CnnDistributed.Worker.Runtime; do
    dotnet sharpfuzz "$bin/$assembly.dll" >/dev/null
done

export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1
# A peer-stated length that makes a parser allocate more than 512 MiB is a crash (OutOfMemoryException), not a
# machine that swaps. The file-reading targets write every input to a scratch file: in memory (/dev/shm) where there
# is one, so that the disk does not set their pace.
scratch=$(mktemp -d /dev/shm/cnnd-fuzz.XXXXXX 2>/dev/null || mktemp -d "$PWD/$out/tmp.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
# Arrays up to 2 MiB (a checkpoint's tensors, the file holding them) are allocated in gen0 rather than on the large
# object heap, whose gen2 collections otherwise set the pace of the file targets.
export DOTNET_GCHeapHardLimit=0x20000000 DOTNET_GCLOHThreshold=0x200000 TMPDIR=$scratch

stat() { sed -n "s/^$1 *: *//p" "$2"; }
total_execs=0
total_crashes=0
for target in "${targets[@]}"; do
    findings=$out/$target
    rm -rf "$findings"
    if ! afl-fuzz -i "fuzz/corpus/$target" -o "$findings" "${budget[@]}" -t 5000 -m none \
        -- dotnet "$bin/CnnDistributed.Fuzz.dll" "$target" >"$findings.log" 2>&1; then
        tail -n 20 "$findings.log" >&2
        echo "error: afl-fuzz failed on $target (log: $findings.log)" >&2
        exit 1
    fi
    stats=$findings/default/fuzzer_stats
    execs=$(stat execs_done "$stats")
    crashes=$(find "$findings/default/crashes" "$findings/default/hangs" -type f -name 'id:*' | wc -l)
    echo "fuzz: $target: $execs execs ($(stat execs_per_sec "$stats")/s), corpus $(stat corpus_count "$stats")," \
        "edges $(stat edges_found "$stats") ($(stat bitmap_cvg "$stats")), $crashes crashes and hangs"
    total_execs=$((total_execs + execs))
    total_crashes=$((total_crashes + crashes))
done

echo "fuzz: ${#targets[@]} targets, $total_execs execs, $total_crashes crashes"
((total_crashes == 0))

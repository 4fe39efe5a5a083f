#!/usr/bin/env bash
# Offline Kubernetes checks: kubectl kustomize renders the base and the GPU overlay, every object passes the
# kubernetes-models schemas, the GPU overlay differs from the base only where it must, and mutual TLS is wired.
# Last line: `N passed, N failed`.
set -uo pipefail

cd "$(dirname "$0")"
passed=0
failed=0
rendered=$(mktemp -d /tmp/cnnd-k8s.XXXXXX)
trap 'rm -rf "$rendered"; echo "$passed passed, $failed failed"' EXIT

check() {
  local name=$1; shift
  if "$@"; then echo "PASS $name"; passed=$((passed + 1)); else echo "FAIL $name"; failed=$((failed + 1)); fi
}

if ! command -v kubectl >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kubernetes-client >/dev/null
fi
npm ci --no-audit --no-fund --silent >/dev/null 2>&1 || { echo "error: npm ci failed" >&2; failed=$((failed + 1)); exit 1; }

check "kubectl kustomize base" sh -c "kubectl kustomize ../base > '$rendered/base.yaml'"
check "kubectl kustomize overlays/gpu" sh -c "kubectl kustomize ../overlays/gpu > '$rendered/gpu.yaml'"
check "every rendered object matches its schema" node validate.mjs "$rendered/base.yaml" "$rendered/gpu.yaml"
check "GPU overlay differs from the base only in the GPU paths" node gpu-overlay-diff.mjs "$rendered/base.yaml" "$rendered/gpu.yaml"
check "mutual TLS wired: Secret cnnd-tls per role, https, probes on the health port" \
  node tls-wiring.mjs "$rendered/base.yaml" "$rendered/gpu.yaml"
[ "$failed" -eq 0 ]

// Checks that the GPU overlay differs from the base exactly where it must: the worker Job's GPU limit, device,
// node selector and tolerations. Usage: node gpu-overlay-diff.mjs BASE.yaml GPU.yaml (rendered by kubectl kustomize).
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const expected = [
  "batch/v1/Job cnnd-worker: spec.template.spec.containers[worker].env[CNND_DEVICE].value",
  "batch/v1/Job cnnd-worker: spec.template.spec.containers[worker].resources.limits.nvidia.com/gpu",
  "batch/v1/Job cnnd-worker: spec.template.spec.nodeSelector",
  "batch/v1/Job cnnd-worker: spec.template.spec.tolerations",
];

const load = (file) => new Map(parseAllDocuments(readFileSync(file, "utf8"))
  .map((d) => d.toJS()).filter((o) => o !== null)
  .map((o) => [`${o.apiVersion}/${o.kind} ${o.metadata.name}`, o]));

// Lists of named items (containers, env, ports, volumes) are compared by name, as a strategic merge patch does.
const keyed = (value) => Array.isArray(value) && value.length > 0 && value.every((v) => v && typeof v === "object" && "name" in v)
  ? Object.fromEntries(value.map((v) => [v.name, v])) : value;

function differences(a, b, path, out) {
  const [ka, kb] = [keyed(a), keyed(b)];
  const byName = ka !== a || kb !== b;
  const objects = [ka, kb].every((v) => v && typeof v === "object" && !Array.isArray(v));
  if (!objects) {
    if (JSON.stringify(ka) !== JSON.stringify(kb)) out.push(path);
    return out;
  }
  for (const key of new Set([...Object.keys(ka), ...Object.keys(kb)])) {
    differences(ka[key], kb[key], byName ? `${path}[${key}]` : path ? `${path}.${key}` : key, out);
  }
  return out;
}

const [base, gpu] = process.argv.slice(2).map(load);
const found = [];
for (const name of new Set([...base.keys(), ...gpu.keys()])) {
  for (const path of differences(base.get(name), gpu.get(name), "", [])) found.push(`${name}: ${path}`);
}
const unexpected = found.filter((p) => !expected.includes(p));
const missing = expected.filter((p) => !found.includes(p));
for (const p of found) console.log(`${unexpected.includes(p) ? "UNEXPECTED" : "expected"} ${p}`);
for (const p of missing) console.log(`MISSING ${p}`);
process.exit(unexpected.length === 0 && missing.length === 0 ? 0 : 1);

// Checks that rendered manifests wire mutual TLS the way cnnd expects, which the schemas cannot see: the coordinator
// serves https with --tls on the folder where the Secret cnnd-tls gives it ca.crt and its own certificate and key;
// each worker dials https with CNND_TLS on the folder holding ca.crt and the workers' certificate and key; no pod gets
// the CA's key; probes ask the plaintext health port each program serves.
// Usage: node tls-wiring.mjs RENDERED.yaml...  Prints one line per problem found and exits 1 if there is any.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const problems = [];

function check(file, job, expectFiles, settings) {
  const spec = job.spec.template.spec;
  const container = spec.containers[0];
  const where = `${file}: Job ${job.metadata.name}`;
  const mount = (container.volumeMounts ?? []).find((m) => m.mountPath === settings.tls);
  const volume = mount && spec.volumes.find((v) => v.name === mount.name);
  const files = (volume?.secret?.items ?? []).map((i) => `${i.key}:${i.path}`).sort();
  if (volume?.secret?.secretName !== "cnnd-tls" || !mount.readOnly) {
    problems.push(`${where}: ${settings.tls} is not the Secret cnnd-tls mounted read-only`);
  } else if (JSON.stringify(files) !== JSON.stringify(expectFiles.map((f) => `${f}:${f}`).sort())) {
    problems.push(`${where}: the Secret gives ${files.join(", ")}; expected ${expectFiles.join(", ")}`);
  }
  if (!settings.url?.startsWith("https://")) problems.push(`${where}: ${settings.url} is not https`);
  for (const probe of ["readinessProbe", "livenessProbe"]) {
    if (String(container[probe]?.grpc?.port) !== String(settings.health)) {
      const port = container[probe]?.grpc?.port;
      problems.push(`${where}: ${probe} asks port ${port}, the health port is ${settings.health}`);
    }
  }
}

const flag = (args, name) => args[args.indexOf(name) + 1];
const variable = (container, name) => container.env?.find((e) => e.name === name)?.value;

for (const file of process.argv.slice(2)) {
  const jobs = parseAllDocuments(readFileSync(file, "utf8")).map((d) => d.toJS())
    .filter((o) => o?.kind === "Job");
  const coordinator = jobs.find((j) => j.metadata.name === "cnnd-coordinator");
  const worker = jobs.find((j) => j.metadata.name === "cnnd-worker");
  const args = coordinator.spec.template.spec.containers[0].args;
  check(file, coordinator, ["ca.crt", "coordinator.crt", "coordinator.key"], {
    tls: flag(args, "--tls"), url: flag(args, "--listen"), health: flag(args, "--health-port"),
  });
  const container = worker.spec.template.spec.containers[0];
  check(file, worker, ["ca.crt", "worker.crt", "worker.key"], {
    tls: variable(container, "CNND_TLS"),
    url: variable(container, "CNND_COORDINATOR"),
    health: variable(container, "CNND_HEALTH_PORT"),
  });
}
for (const p of problems) console.log(p);
process.exit(problems.length === 0 ? 0 : 1);

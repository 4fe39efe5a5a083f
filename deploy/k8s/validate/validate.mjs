// Validates every object of rendered Kubernetes manifests (multi-document YAML files) against the kubernetes-models
// schemas, offline. Usage: node validate.mjs FILE...  Prints one line per object and `N passed, N failed`.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

let passed = 0;
let failed = 0;
for (const file of process.argv.slice(2)) {
  for (const document of parseAllDocuments(readFileSync(file, "utf8"))) {
    const object = document.toJS();
    if (object === null) continue;
    const name = `${file}: ${object.apiVersion}/${object.kind} ${object.metadata?.name}`;
    try {
      const module = await import(`kubernetes-models/${object.apiVersion}/${object.kind}`);
      new module[object.kind](object).validate();
      console.log(`PASS ${name}`);
      passed++;
    } catch (error) {
      console.log(`FAIL ${name}: ${error.message}`);
      failed++;
    }
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);

// Policy pack config for one stack, derived from that stack's own config so the
// keys are written once: `tags.required` → `required-tags.requiredKeys`.
// CI: `npx ts-node --transpile-only policies/pack-config.ts <stack> > policy-config-<stack>.json`,
// then `pulumi preview --policy-pack policies --policy-pack-config policy-config-<stack>.json`.
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { requiredTags } from "./rules";

/** The config namespace (Pulumi project name) of infra/. */
const NAMESPACE = "event-ops";

export function packConfigFromStackYaml(stackYaml: string): Record<string, unknown> {
  const doc = (YAML.parse(stackYaml) ?? {}) as { config?: Record<string, unknown> };
  const tags = doc.config?.[`${NAMESPACE}:tags`] as { required?: unknown } | undefined;
  const required = Array.isArray(tags?.required) ? tags!.required.map(String) : [];
  return { [requiredTags.id]: { requiredKeys: required } };
}

if (require.main === module) {
  const stack = process.argv[2];
  if (!stack) {
    console.error("usage: ts-node policies/pack-config.ts <stack>");
    process.exit(2);
  }
  const file = path.resolve(__dirname, "..", `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) {
    console.error(`no stack '${stack}': ${file} does not exist`);
    process.exit(2);
  }
  process.stdout.write(JSON.stringify(packConfigFromStackYaml(fs.readFileSync(file, "utf8")), null, 2) + "\n");
}

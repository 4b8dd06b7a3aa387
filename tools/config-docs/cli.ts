// `npm run config:docs [-- --check]`: writes the stack config's JSON Schema
// (schema/stack-config.schema.json) and reference (docs/config-reference.md)
// from infra/config/schema.ts; --check only says whether they are current.
import * as fs from "node:fs";
import * as path from "node:path";
import { parseCommand, runScript, type Command } from "../cli/command";
import { configReference, REFERENCE_FILE, SCHEMA_FILE, stackFileSchema } from "./generate";
import { readFieldDocs } from "./jsdoc";

const ROOT = path.resolve(__dirname, "../..");

const FLAGS = {
  check: { type: "boolean", help: "write nothing; exit 1 when either file is out of date" },
  help: { type: "boolean", short: "h", help: "this help" },
} as const;

export const CONFIG_DOCS: Command<typeof FLAGS> = {
  name: "npm run config:docs --",
  summary: `Writes ${SCHEMA_FILE} and ${REFERENCE_FILE} from the config schema (infra/config/schema.ts).`,
  usage: ["[--check]"],
  flags: FLAGS,
  exits: { 0: "written (or, with --check, up to date)", 1: "--check: a file is out of date (run npm run config:docs)", 2: "bad arguments", 3: "anything else" },
};

/** The two generated files and their content, as `npm run config:docs` writes them. */
export function generatedFiles(root = ROOT): Record<string, string> {
  const docs = readFieldDocs(root);
  return { [SCHEMA_FILE]: `${JSON.stringify(stackFileSchema(docs), null, 2)}\n`, [REFERENCE_FILE]: configReference(docs) };
}

async function main(): Promise<number> {
  const values = parseCommand(CONFIG_DOCS, process.argv.slice(2));
  if (!values) return 0;
  const files = generatedFiles();
  const stale = Object.keys(files).filter((f) => !fs.existsSync(path.join(ROOT, f)) || fs.readFileSync(path.join(ROOT, f), "utf8") !== files[f]);
  if (values.check) {
    for (const f of stale) console.error(`${f} is out of date: run npm run config:docs`);
    return stale.length === 0 ? 0 : 1;
  }
  for (const [f, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(ROOT, f)), { recursive: true });
    fs.writeFileSync(path.join(ROOT, f), text);
    console.log(`${stale.includes(f) ? "wrote" : "unchanged"} ${f}`);
  }
  return 0;
}

if (require.main === module) runScript(CONFIG_DOCS, main);

// The stack config's JSON Schema and reference are generated from the zod
// schema and kept in sync; the schema accepts the shipped stack files and
// refuses what the config validation refuses in their shape.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { z } from "zod";
import { generatedFiles } from "../../tools/config-docs/cli";
import { fieldPaths, REFERENCE_FILE, SCHEMA_COMMENT, SCHEMA_FILE } from "../../tools/config-docs/generate";
import { readFieldDocs } from "../../tools/config-docs/jsdoc";
import { HANDLER_DEFAULTS, MEANINGS } from "../../tools/config-docs/meanings";
import { ROOT } from "./raw";

const STACK_FILES = fs.readdirSync(ROOT).filter((f) => /^Pulumi\..+\.yaml$/.test(f));

describe("generated config schema and reference", function () {
  this.timeout(60_000);
  let files: Record<string, string>;
  let docs: Map<string, string>;
  before(() => {
    files = generatedFiles(ROOT);
    docs = readFieldDocs(ROOT);
  });

  for (const file of [SCHEMA_FILE, REFERENCE_FILE]) {
    it(`${file} is what npm run config:docs writes from the schema today`, () => {
      assert.ok(fs.existsSync(path.join(ROOT, file)), `${file} is missing: run npm run config:docs`);
      assert.ok(fs.readFileSync(path.join(ROOT, file), "utf8") === files[file], `${file} is out of date: run npm run config:docs`);
    });
  }

  it("every field has a meaning: its doc comment in the schema, else meanings.ts", () => {
    const missing = fieldPaths().filter((p) => !docs.has(p) && !MEANINGS[p]);
    assert.deepEqual(missing, [], "fields without a meaning: add a doc comment beside the field in the schema");
  });

  it("meanings.ts and its handler defaults name real fields, and no meaning there is shadowed by a doc comment", () => {
    const fields = new Set(fieldPaths());
    for (const p of [...Object.keys(MEANINGS), ...Object.keys(HANDLER_DEFAULTS)]) assert.ok(fields.has(p), `${p} is not a config field`);
    assert.deepEqual(Object.keys(MEANINGS).filter((p) => docs.has(p)), [], "these now have a doc comment: drop them from meanings.ts");
  });

  it("the reference lists every field", () => {
    const reference = files[REFERENCE_FILE];
    for (const p of fieldPaths()) assert.ok(reference.includes(p.includes(".") || p.includes("[") ? `\`${p}\`` : `event-ops:${p}\``), p);
  });

  it("every stack file's first line points editors at the schema", () => {
    assert.ok(STACK_FILES.length >= 2);
    for (const f of STACK_FILES) assert.equal(fs.readFileSync(path.join(ROOT, f), "utf8").split("\n")[0], SCHEMA_COMMENT, f);
    assert.ok(fs.existsSync(path.join(ROOT, SCHEMA_COMMENT.split("=")[1])), "the path resolves from the stack files' folder");
  });

  describe("the schema, as an editor applies it", () => {
    const schema = () => z.fromJSONSchema(JSON.parse(files[SCHEMA_FILE]));
    const stackFile = (f: string) => YAML.parse(fs.readFileSync(path.join(ROOT, f), "utf8"));

    for (const f of STACK_FILES) {
      it(`accepts ${f}, secure: values included`, () => {
        const r = schema().safeParse(stackFile(f));
        assert.ok(r.success, JSON.stringify(!r.success && r.error.issues.slice(0, 5)));
      });
    }

    const refused: [string, (config: Record<string, any>) => void, RegExp][] = [
      ["a misspelt namespace", (c) => ((c["eventops:automation"] = c["event-ops:automation"]), delete c["event-ops:automation"]), /eventops:automation/],
      ["an unknown key of the project", (c) => (c["event-ops:tier"] = c["event-ops:tiers"]), /event-ops:tier\b/],
      ["a channel level that does not exist", (c) => (c["event-ops:tiers"].WARN.channels = "pager"), /channels/],
      ["an unknown field", (c) => (c["event-ops:contacts"][0].mobile = "+8613800000000"), /mobile|contacts/],
      ["a number out of range", (c) => (c["event-ops:tiers"].INFO.silenceSeconds = 90000), /silenceSeconds/],
    ];
    for (const [title, edit, where] of refused) {
      it(`refuses ${title}`, () => {
        const doc = stackFile("Pulumi.prod.yaml");
        edit(doc.config);
        const r = schema().safeParse(doc);
        assert.equal(r.success, false);
        assert.match(JSON.stringify(r.error!.issues), where);
      });
    }

    it("allows the provider's and the engine's keys, and a secret wherever a string goes", () => {
      const doc = stackFile("Pulumi.prod.yaml");
      doc.config["alicloud:profile"] = "ops";
      doc.config["pulumi:disable-default-providers"] = ["*"];
      doc.config["event-ops:contacts"][0].email = { secure: "AAABAG..." };
      assert.ok(schema().safeParse(doc).success);
      doc.config["event-ops:contacts"][0].email = { secure: "x", extra: 1 };
      assert.equal(schema().safeParse(doc).success, false, "secure: takes exactly one field");
    });
  });
});

// The seams of handlers/, checked on the sources: infra sees only the catalogue
// and the contract; ports (core/) never reach for an implementation (cloud/);
// the contract is pure; an entry is one declaration run by the one runtime.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.join(__dirname, "../..");
const tsFiles = (dir: string): string[] =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFiles(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : []));

/** Every import of the files under `dir`: the importing file and the target, both relative to the repository. */
function importsUnder(dir: string): { from: string; target: string }[] {
  return tsFiles(path.join(ROOT, dir)).flatMap((file) =>
    [...fs.readFileSync(file, "utf8").matchAll(/^(?:import|export)[^"]*?from "([^"]+)"|^import "([^"]+)"/gm)].map((m) => {
      const spec = m[1] ?? m[2];
      return { from: path.relative(ROOT, file), target: spec.startsWith(".") ? path.relative(ROOT, path.resolve(path.dirname(file), spec)) : spec };
    }),
  );
}

describe("handlers/ layout", () => {
  it("infra imports from handlers/ only the catalogue and the contract", () => {
    const imports = importsUnder("infra");
    assert.ok(imports.some((i) => i.target === "handlers/contract"), "the scan sees infra's imports");
    assert.deepEqual(imports.filter((i) => i.target.startsWith("handlers/") && !/^handlers\/(catalogue|contract)$/.test(i.target)), []);
  });

  it("core/ (ports and shared pure pieces) imports nothing of cloud/, runtime/ or a handler", () => {
    const imports = importsUnder("handlers/core").filter((i) => i.target.startsWith("handlers/"));
    assert.ok(imports.length > 0);
    assert.deepEqual(imports.filter((i) => !/^handlers\/(core\/|contract$|catalogue$)/.test(i.target)), []);
  });

  it("the contract is pure: zod and the catalogue, nothing else", () => {
    const imports = importsUnder("handlers/contract");
    assert.deepEqual(imports.filter((i) => !(i.target === "zod/mini" || i.target === "handlers/catalogue" || i.target.startsWith("handlers/contract/"))), []);
  });

  it("handler code never imports the runtime, the registry or an entry (they import it)", () => {
    const inner = ["core", "cloud", "ecs", "lb", "spot-drain", "instance-cleanup", "state-record", "maintenance", "expiry", "contract"].flatMap((d) => importsUnder(`handlers/${d}`));
    assert.deepEqual(inner.filter((i) => /^handlers\/(runtime|registry|entries)(\/|$)/.test(i.target)), []);
  });

  it("every entry is one line: its declaration run by fcEntry", () => {
    const entries = fs.readdirSync(path.join(ROOT, "handlers/entries")).filter((f) => f.endsWith(".ts"));
    assert.equal(entries.length, 5);
    for (const f of entries) {
      const code = fs.readFileSync(path.join(ROOT, "handlers/entries", f), "utf8").split("\n").filter((l) => l.trim() && !l.startsWith("//") && !l.startsWith("import "));
      assert.deepEqual(code.length, 1, f);
      assert.match(code[0], /^export const \{ handler, createHandler \} = fcEntry\(\w+\);$/, f);
    }
  });
});

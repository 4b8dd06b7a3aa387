import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { crc64 } from "crc64-ecma182.js";
import { bundleHandlers, ENTRIES_DIR, zipDeterministic } from "../../tools/bundle";
import { unzip } from "./doubles/bundled";

describe("bundle", function () {
  this.timeout(60_000);

  const dirs: string[] = [];
  const tempDir = (prefix: string) => (dirs.push(fs.mkdtempSync(path.join(os.tmpdir(), prefix))), dirs[dirs.length - 1]);
  after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it("builds the same bytes twice, with a manifest FC can use", async () => {
    const a = await bundleHandlers(tempDir("bundle-a-"));
    const b = await bundleHandlers(tempDir("bundle-b-"));
    assert.deepEqual(a, b);
    const entries = fs.readdirSync(ENTRIES_DIR).filter((f) => f.endsWith(".ts")).map((f) => f.slice(0, -3)).sort();
    assert.deepEqual(Object.keys(a).sort(), entries, "one zip per entry file");
    for (const mine of ["instance-cleanup", "spot-drain", "state-record"]) assert.ok(entries.includes(mine));
    for (const e of Object.values(a)) {
      assert.match(e.sha256, /^[0-9a-f]{64}$/);
      assert.match(e.crc64, /^\d+$/);
      assert.ok(e.ramActions.length > 0);
    }
  });

  it("zips one index.js exporting handler, with fixed metadata", async () => {
    const zip = await zipDeterministic([{ name: "index.js", data: Buffer.from("exports.handler = async () => 1;") }]);
    assert.deepEqual([...unzip(zip).keys()], ["index.js"]);
    // DOS date 1980-01-01 00:00 in the local header: time 0, date (0<<9)|(1<<5)|1.
    assert.equal(zip.readUInt16LE(10), 0);
    assert.equal(zip.readUInt16LE(12), 0x21);
    assert.equal(zip.toString("base64"), (await zipDeterministic([{ name: "index.js", data: Buffer.from("exports.handler = async () => 1;") }])).toString("base64"));
  });

  it("uses the CRC-64/ECMA-182 (XZ) variant OSS and FC report", () => {
    assert.equal(crc64("123456789"), "11051210869376104954"); // 0x995DC9BBDF1939FA, the CRC-64/XZ check value
  });
});

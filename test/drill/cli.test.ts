// The drill CLI: usage errors in-process, and a live drill as a real child
// process against the fake cloud, interrupted with SIGINT / SIGTERM: it must
// cancel every simulated event it created before exiting.
import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { endpointEnv, startFakeCloud, systemClock, type FakeCloud } from "../../local-cloud";
import { EXIT, main, parseTime } from "../../tools/drill/cli";
import { planGraph } from "../../tools/routing/plan";

const ROOT = path.resolve(__dirname, "../..");

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("drill CLI", function () {
  this.timeout(120_000);

  const usage: [string, string[], RegExp][] = [
    ["without --stack", ["--event", "SystemMaintenance.Reboot"], /usage:/],
    ["a bad --at", ["--stack", "prod", "--event", "SystemMaintenance.Reboot", "--instance", "i-1", "--at", "tomorrow", "--plan", "/dev/null"], /--at tomorrow: expected ISO-8601/],
    ["--live without --not-before", ["--live", "--stack", "prod", "--event", "SystemMaintenance.Reboot", "--instances", "i-1"], /--live needs --not-before/],
    ["an unknown option", ["--stack", "prod", "--event", "x", "--frobnicate"], /Unknown option '--frobnicate'/],
  ];
  for (const [title, args, message] of usage) {
    it(`exits 2 with a message for ${title}`, async () => {
      const r = await run(args);
      assert.equal(r.code, EXIT.usage, r.err);
      assert.match(r.err, message);
    });
  }

  it("a recorded plan whose queue trigger config cannot be read: exit 3 naming the trigger and the field", async () => {
    const graph = planGraph("prod");
    const broken = { ...graph, resources: graph.resources.map((r) => (r.name === "handler-spot-drain-queue" ? { ...r, inputs: { ...r.inputs, triggerConfig: "{not json" } } : r)) };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "drill-plan-"));
    try {
      const file = path.join(dir, "plan.json");
      fs.writeFileSync(file, JSON.stringify(broken));
      const r = await run(["--stack", "prod", "--event", "PreemptibleInstanceInterruption", "--instance", "i-1", "--plan", file]);
      assert.equal(r.code, EXIT.error, r.err);
      assert.match(r.err, /^drill: the plan of stack prod: trigger handler-spot-drain-queue \(function eventops-prod-spot-drain\): triggerConfig is not JSON/);
      assert.doesNotMatch(r.err, /\n\s+at /, "a message, not a stack trace");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reads relative and absolute times", () => {
    const now = Date.parse("2026-11-20T00:00:00Z");
    assert.equal(parseTime("+3d", now, "--at"), now + 3 * 86_400_000);
    assert.equal(parseTime("2026-11-23T18:00:00Z", now, "--at"), Date.parse("2026-11-23T18:00:00Z"));
  });

  describe("live drill as a child process, interrupted", () => {
    let fake: FakeCloud;
    beforeEach(async () => {
      fake = await startFakeCloud({ clock: systemClock, autoTickMs: 100 });
      for (const id of ["i-live1", "i-live2", "i-live3"]) fake.state.addInstance({ InstanceId: id, Tags: { "eventops-drill": "true" } });
    });
    afterEach(async () => {
      await fake.close();
    });

    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      it(`${signal}: cancels every event it created, then exits`, async () => {
        const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "tools/drill/cli.ts", "--live", "--stack", "prod", "--event", "SystemMaintenance.Reboot", "--instances", "i-live1,i-live2,i-live3", "--not-before", "+1h", "--poll", "200ms"], {
          cwd: ROOT,
          env: { ...process.env, ...endpointEnv(fake), TS_NODE_TRANSPILE_ONLY: "true" },
          stdio: ["ignore", "pipe", "pipe"],
        });
        let out = "";
        child.stdout.on("data", (d) => (out += d));
        child.stderr.on("data", (d) => (out += d));
        const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
        const active = () => [...fake.state.events.values()].filter((e) => e.Simulated && e.Status === "Scheduled").length;
        for (let i = 0; i < 600 && active() < 3; i++) await new Promise((r) => setTimeout(r, 50));
        assert.equal(active(), 3, `the drill created its events first:\n${out}`);
        await new Promise((r) => setTimeout(r, 300)); // let it follow at least once
        child.kill(signal);
        const code = await exited;
        assert.equal(code, 130, out);
        assert.deepEqual([...fake.state.events.values()].map((e) => e.Status), ["Canceled", "Canceled", "Canceled"]);
        assert.match(out, new RegExp(`${signal}: stopping the drill`));
        assert.match(out, /cancelled 3 simulated event\(s\) the drill created/);
        assert.equal(fake.calls("CancelSimulatedSystemEvents").length, 1);
      });
    }
  });
});

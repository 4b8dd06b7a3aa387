// Every command line guides: --help lists its flags and exit codes; a bad or
// missing argument exits 2 with the usage on stderr, never a stack trace.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT, runScript, type CliRun } from "./run";
import { PLAN, planArgs } from "../../tools/plan/args";
import { BUNDLE } from "../../tools/bundle";
import { BENCH_PLAN } from "../../tools/bench/plan";
import { BENCH_HANDLERS } from "../../tools/bench/handlers";
import { BENCH_BURST } from "../../tools/bench/burst";
import { DRILL, main as drillMain } from "../../tools/drill/cli";
import { CONFIG_DOCS } from "../../tools/config-docs/cli";
import type { Command, Flags } from "../../tools/cli/command";

type Case = [string, string[], RegExp];

/** Runs a command's parsing in this process: exit code and what it wrote. */
type InProcess = (args: string[]) => Promise<CliRun>;

const planInProcess: InProcess = async (args) => {
  const err: string[] = [];
  const status = planArgs(args, (s) => err.push(s));
  return { status: typeof status === "number" ? status : 0, stdout: "", stderr: err.join("\n") };
};
const drillInProcess: InProcess = async (args) => {
  const out: string[] = [];
  const err: string[] = [];
  const status = await drillMain(args, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { status, stdout: out.join("\n"), stderr: err.join("\n") };
};

/**
 * npm scripts that are the project's own command lines: their spec, arguments
 * that must be refused as a real child process (`spawned`), and more of them
 * through the same parsing in-process (spawning each costs seconds).
 */
const COMMANDS: Record<string, { spec: Command<Flags>; spawned: Case[]; inProcess?: [InProcess, Case[]] }> = {
  plan: {
    spec: PLAN,
    spawned: [
      ["a misspelt flag", ["--stak", "prod"], /Unknown option '--stak' \(did you mean --stack\?\)/],
      ["no stack", [], /say which stack to plan/],
    ],
    inProcess: [
      planInProcess,
      [
        ["a flag without its value", ["--stack"], /--stack needs a value/],
        ["a value eaten by the next flag", ["--stack", "--quiet"], /--stack needs a value/],
        ["a stray argument", ["prod"], /unexpected argument 'prod'/],
        ["--exit-code without --diff", ["--stack", "prod", "--exit-code"], /needs --diff/],
        ["both --stack and --check", ["--stack", "prod", "--check", "plan.json"], /not both/],
        ["two files on stdout", ["--stack", "prod", "--json", "-", "--markdown", "-"], /only one of --json and --markdown/],
        ["a value for a switch", ["--stack", "prod", "--quiet=yes"], /--quiet takes no value/],
        ["a base plan that does not exist", ["--stack", "prod", "--diff", "no-such-plan.json"], /--diff no-such-plan\.json: no such file/],
        ["a recorded plan that is not one", ["--check", "package.json"], /--check package\.json: not a recorded plan/],
      ],
    ],
  },
  bundle: { spec: BUNDLE, spawned: [["an unknown flag", ["--out", "x"], /Unknown option '--out'/]] },
  "bench:plan": {
    spec: BENCH_PLAN,
    spawned: [
      ["a misspelt flag", ["--run", "3"], /Unknown option '--run' \(did you mean --runs\?\)/],
      ["a bad number", ["--runs", "three"], /--runs three: a whole number from 1 to 100/],
    ],
  },
  "bench:handlers": { spec: BENCH_HANDLERS, spawned: [["a number out of range", ["--runs", "0"], /--runs 0: a whole number from 1 to 1000/]] },
  "bench:burst": {
    spec: BENCH_BURST,
    spawned: [
      ["a misspelt flag", ["--size", "10"], /Unknown option '--size' \(did you mean --sizes\?\)/],
      ["a path that is not one", ["--paths", "batched,fast"], /--paths: fast is not one of batched, per-instance/],
      ["a window out of range", ["--time-window", "16"], /--time-window 16: a number from 0 to 15/],
    ],
  },
  drill: {
    spec: DRILL,
    spawned: [["a misspelt flag", ["--stak", "prod", "--event", "SystemMaintenance.Reboot"], /Unknown option '--stak' \(did you mean --stack\?\)/]],
    inProcess: [
      drillInProcess,
      [
        ["no event", ["--stack", "prod"], /--event <type> is required/],
        ["no stack", ["--event", "SystemMaintenance.Reboot"], /--stack <name> is required/],
        ["a stray argument", ["--stack", "prod", "--event", "x", "i-1"], /unexpected argument 'i-1'/],
      ],
    ],
  },
  "config:docs": { spec: CONFIG_DOCS, spawned: [["a misspelt flag", ["--chek"], /Unknown option '--chek' \(did you mean --check\?\)/]] },
};

function assertRefused(r: CliRun, message: RegExp): void {
  assert.equal(r.status, 2, `exit code; stderr:\n${r.stderr}`);
  assert.match(r.stderr, message);
  assert.match(r.stderr, /^usage: npm run /m);
  assert.doesNotMatch(r.stderr, /^\s+at .+:\d+:\d+\)?$/m, "no stack trace");
  assert.doesNotMatch(r.stderr, /TypeError|ERR_PARSE_ARGS/);
  assert.equal(r.stdout, "", "nothing on stdout");
}

const NOT_COMMANDS = ["typecheck", "test", "pretest"];

describe("command lines", function () {
  this.timeout(120_000);

  const scripts = Object.keys(JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts).filter((s) => !NOT_COMMANDS.includes(s));

  it("name only npm scripts that exist", () => {
    for (const script of Object.keys(COMMANDS)) assert.ok(scripts.includes(script), script);
  });

  // Every command line, including one added later without an entry above.
  for (const script of scripts) {
    const known = COMMANDS[script];
    describe(`npm run ${script}`, () => {
      it("--help lists its flags and exit codes, on stdout, exit 0", () => {
        const r = runScript(script, ["--help"]);
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, new RegExp(`^usage: npm run ${script} -- `, "m"));
        assert.match(r.stdout, /^Flags:\n/m);
        const exits = r.stdout.slice(r.stdout.indexOf("Exit codes:"));
        assert.ok(r.stdout.includes("Exit codes:") && exits.includes("\n  2  "), "an Exit codes section with exit 2 (bad arguments)");
        if (!known) return;
        for (const flag of Object.keys(known.spec.flags)) assert.match(r.stdout, new RegExp(`--${flag}\\b`), `--${flag} in the help`);
        for (const [code, meaning] of Object.entries(known.spec.exits)) assert.ok(exits.includes(`${code}  ${meaning}`), `exit ${code} in the help`);
      });

      const spawned = known?.spawned ?? [["an unknown flag", ["--no-such-flag"], /Unknown option '--no-such-flag'/] as Case];
      for (const [title, args, message] of spawned) {
        it(`refuses ${title}: exit 2, the reason and the usage on stderr, no stack trace`, () => assertRefused(runScript(script, args), message));
      }
      const [run, cases] = known?.inProcess ?? [undefined, []];
      for (const [title, args, message] of cases) {
        it(`refuses ${title} (in-process): exit 2, the reason and the usage`, async () => assertRefused(await run!(args), message));
      }
    });
  }
});

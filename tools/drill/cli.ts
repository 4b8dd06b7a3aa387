// `npm run drill -- ...`: play system events through the stack, locally on
// the twin or live on the account. See docs/drills.md.
//
//   local:  --stack <s> --event <type> --instance <id> [--tags k=v,...] [--at <time>] [--cancel]
//           [--include-undeployed] [--plan <plan.json>] [--start <time>] [--verbose]
//   burst:  --stack <s> --event <type> --count <N ≤ 1000> [--throttle <every n-th call, default 20>] [--redeliver <fraction>] [...local options]
//   live:   --live --stack <s> --event <type> (--instances <ids> | --tag k=v) --not-before <time> [--yes]
//           [--region <r>] [--follow <duration>] [--poll <duration>]
// Times: ISO-8601 (2026-11-23T18:00:00Z) or relative to now (+3d, +90m, +2h).
// Exit codes: 0 done, 1 the drill ran but something was lost or failed, 2 usage / refused, 3 other error.
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import YAML from "yaml";
import { bundleExists, ensureBundles } from "./bundles";
import { renderBurst, runBurst } from "./burst";
import { drillCloud } from "./cloud";
import { DrillError, renderLiveReport, runLiveDrill } from "./live";
import { runLocalDrill } from "./local";
import { renderLocalDrill } from "./report";
import { loadDrillStack } from "./stack";

export const EXIT = { ok: 0, failed: 1, usage: 2, error: 3 } as const;

const USAGE = `usage:
  npm run drill -- --stack <name> --event <type> --instance <id> [--tags k=v,...] [--at <time>] [--cancel] [--include-undeployed]
  npm run drill -- --stack <name> --event <type> --count <N> [--throttle <every n-th call>] [--redeliver <fraction>]
  npm run drill -- --live --stack <name> --event <type> (--instances <ids> | --tag k=v) --not-before <time> [--yes] [--follow <duration>]`;

/** ISO-8601, or `+<n><s|m|h|d>` from `now`. */
export function parseTime(value: string, now: number, flag: string): number {
  const rel = /^\+(\d+)([smhd])$/.exec(value.trim());
  if (rel) return now + Number(rel[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[rel[2] as "s" | "m" | "h" | "d"];
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new DrillError(`${flag} ${value}: expected ISO-8601 (2026-11-23T18:00:00Z) or +<n>{s,m,h,d}`, "Usage");
  return t;
}

export function parseDuration(value: string, flag: string): number {
  const m = /^(\d+)(ms|s|m|h)?$/.exec(value.trim());
  if (!m) throw new DrillError(`${flag} ${value}: expected a duration like 90s, 10m, 2h`, "Usage");
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? "s") as "ms" | "s" | "m" | "h"];
}

export function parseTags(value: string | undefined): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const part of value.split(",").map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf("=");
    if (eq <= 0) throw new DrillError(`--tags ${part}: expected key=value`, "Usage");
    out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return out;
}

function stackRegion(stack: string): string {
  const file = path.resolve(__dirname, "../..", `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) throw new DrillError(`no stack '${stack}' (${file} not found)`, "Usage");
  const doc = YAML.parse(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> };
  return String(doc?.config?.["alicloud:region"] ?? "cn-hangzhou");
}

export async function main(argv: string[], io: { out: (s: string) => void; err: (s: string) => void } = { out: (s) => process.stdout.write(s + "\n"), err: (s) => process.stderr.write(s + "\n") }): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        stack: { type: "string", short: "s" },
        event: { type: "string", short: "e" },
        instance: { type: "string" },
        instances: { type: "string" },
        tags: { type: "string" },
        tag: { type: "string" },
        at: { type: "string" },
        start: { type: "string" },
        cancel: { type: "boolean", default: false },
        live: { type: "boolean", default: false },
        yes: { type: "boolean", default: false },
        "not-before": { type: "string" },
        region: { type: "string" },
        follow: { type: "string" },
        poll: { type: "string" },
        count: { type: "string" },
        throttle: { type: "string" },
        redeliver: { type: "string" },
        concurrency: { type: "string" },
        plan: { type: "string" },
        "include-undeployed": { type: "boolean", default: false },
        verbose: { type: "boolean", short: "v", default: false },
        json: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
    }));
  } catch (e) {
    io.err(`${(e as Error).message}\n${USAGE}`);
    return EXIT.usage;
  }
  if (values.help) {
    io.out(USAGE);
    return EXIT.ok;
  }
  if (!values.stack || !values.event) {
    io.err(USAGE);
    return EXIT.usage;
  }

  try {
    if (values.live) {
      if (!values["not-before"]) throw new DrillError("--live needs --not-before <time>", "Usage");
      const interrupt = new AbortController();
      const onSignal = (sig: string) => {
        io.err(`${sig}: stopping the drill and cancelling its events`);
        interrupt.abort();
      };
      const sigint = () => onSignal("SIGINT");
      const sigterm = () => onSignal("SIGTERM");
      process.on("SIGINT", sigint);
      process.on("SIGTERM", sigterm);
      try {
        const report = await runLiveDrill({
          cloud: drillCloud(),
          regionId: values.region ?? stackRegion(values.stack),
          eventType: values.event,
          instanceIds: values.instances?.split(",").map((s) => s.trim()).filter(Boolean),
          tag: values.tag ? (Object.entries(parseTags(values.tag)!).map(([key, value]) => ({ key, value }))[0] ?? undefined) : undefined,
          notBefore: new Date(parseTime(values["not-before"], Date.now(), "--not-before")),
          yes: values.yes,
          followMs: values.follow ? parseDuration(values.follow, "--follow") : undefined,
          pollMs: values.poll ? parseDuration(values.poll, "--poll") : undefined,
          signal: interrupt.signal,
          log: io.out,
        });
        io.out(renderLiveReport(report));
        if (values.json) fs.writeFileSync(values.json, JSON.stringify(report, null, 2) + "\n");
        if (report.interrupted) return 130;
        return report.stoppedBy ? EXIT.failed : EXIT.ok;
      } finally {
        process.off("SIGINT", sigint);
        process.off("SIGTERM", sigterm);
      }
    }

    const now = Math.floor(Date.now() / 60_000) * 60_000;
    const start = values.start ? parseTime(values.start, now, "--start") : now;
    const at = values.at ? parseTime(values.at, start, "--at") : undefined;
    const tags = parseTags(values.tags);
    if (!values.count && !values.instance) throw new DrillError("a local drill needs --instance <id> (or --count N for a burst)", "Usage");
    await ensureBundles();
    const stack = loadDrillStack(values.stack, { planFile: values.plan, includeUndeployed: values["include-undeployed"], available: bundleExists });

    if (values.count) {
      const count = Number(values.count);
      if (!Number.isInteger(count) || count < 1 || count > 1000) throw new DrillError(`--count ${values.count}: a whole number from 1 to 1000`, "Usage");
      const burst = await runBurst({
        stack,
        event: values.event,
        count,
        tags,
        at,
        start,
        throttleEvery: values.throttle === undefined ? undefined : Number(values.throttle),
        redeliverFraction: values.redeliver === undefined ? undefined : Number(values.redeliver),
        concurrency: values.concurrency === undefined ? undefined : Number(values.concurrency),
      });
      io.out(renderBurst(burst));
      if (values.json) fs.writeFileSync(values.json, JSON.stringify({ ...burst, drill: undefined }, null, 2) + "\n");
      return burst.lost === 0 && burst.duplicates === 0 && burst.failed === 0 ? EXIT.ok : EXIT.failed;
    }

    const result = await runLocalDrill({ stack, event: values.event, instanceIds: [values.instance!], tags, at, start, cancel: values.cancel });
    io.out(renderLocalDrill(result, { verbose: values.verbose }));
    if (values.json) fs.writeFileSync(values.json, JSON.stringify({ ...result, calls: undefined }, null, 2) + "\n");
    const failed = result.timeline.some((e) => e.kind === "handler" && e.outcome.outcome === "failed");
    return failed ? EXIT.failed : EXIT.ok;
  } catch (e) {
    if (e instanceof DrillError) {
      io.err(`drill: ${e.message}`);
      return ["Usage", "NeedsYes", "InvalidEventType", "InvalidInstanceId.NotFound", "InvalidNotBefore.Passed", "NoInstances"].includes(e.code) ? EXIT.usage : EXIT.failed;
    }
    io.err(`drill: ${(e as Error).stack ?? e}`);
    return EXIT.error;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      console.error(e);
      process.exit(EXIT.error);
    },
  );
}

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
import YAML from "yaml";
import { parseCommand, usageText, UsageError, writeOutput, type Command } from "../cli/command";
import { QueueTriggerConfigError } from "../routing/queue-triggers";
import { bundleExists, ensureBundles } from "./bundles";
import { renderBurst, runBurst } from "./burst";
import { drillCloud } from "./cloud";
import { DrillError, renderLiveReport, runLiveDrill } from "./live";
import { runLocalDrill } from "./local";
import { renderLocalDrill } from "./report";
import { loadDrillStack } from "./stack";

export const EXIT = { ok: 0, failed: 1, usage: 2, error: 3 } as const;

const FLAGS = {
  stack: { type: "string", short: "s", value: "<name>", help: "the stack whose plan routes the events (Pulumi.<name>.yaml)" },
  event: { type: "string", short: "e", value: "<type>", help: "the catalogue event to play, e.g. SystemMaintenance.Reboot" },
  instance: { type: "string", value: "<id>", help: "local: the instance the event is about" },
  tags: { type: "string", value: "k=v,...", help: "local: the instance's tags (scope tag, group tag)" },
  at: { type: "string", value: "<time>", help: "local: the event's notBefore" },
  start: { type: "string", value: "<time>", help: "local: the virtual clock's start (default: now, to the minute)" },
  cancel: { type: "boolean", help: "local: cancel the event once a handler has drained the instance" },
  "include-undeployed": { type: "boolean", help: "local: also run handlers the catalogue routes to that the stack does not deploy" },
  plan: { type: "string", value: "<plan.json>", help: "local: use this recorded plan instead of planning the stack" },
  verbose: { type: "boolean", short: "v", help: "local: every call in the timeline" },
  count: { type: "string", value: "<n>", help: "burst: play the event on n instances at once (1–1000)" },
  throttle: { type: "string", value: "<n>", help: "burst: every n-th LB/ECS action answers Throttling.User (default 20)" },
  redeliver: { type: "string", value: "<fraction>", help: "burst: fraction of events delivered twice (a second message on the queue)" },
  concurrency: { type: "string", value: "<n>", help: "burst: invocations in flight at once" },
  live: { type: "boolean", help: "live: real simulated system events on the account, always cancelled on exit" },
  instances: { type: "string", value: "<id,...>", help: "live: the instances (at most 5 without --yes)" },
  tag: { type: "string", value: "k=v", help: "live: the instances carrying this tag" },
  "not-before": { type: "string", value: "<time>", help: "live: the events' NotBefore (required)" },
  yes: { type: "boolean", help: "live: allow more than 5 instances or instances without eventops-drill=true" },
  region: { type: "string", value: "<region>", help: "live: the region (default: the stack's alicloud:region)" },
  follow: { type: "string", value: "<duration>", help: "live: follow the events this long, e.g. 30m" },
  poll: { type: "string", value: "<duration>", help: "live: poll interval while following, e.g. 30s" },
  json: { type: "string", value: "<file>", help: "also write the result as JSON; `-` is stdout (the report then goes to stderr)" },
  help: { type: "boolean", short: "h", help: "this help" },
} as const;

export const DRILL: Command<typeof FLAGS> = {
  name: "npm run drill --",
  summary: "Plays system events through the stack: locally on the twin (rules → queue → queue trigger batches → bundled handler → fake cloud, virtual clock), as a burst, or live on the account. See docs/drills.md.",
  usage: [
    "--stack <name> --event <type> --instance <id> [--tags k=v,...] [--at <time>] [--cancel] [--include-undeployed] [--json <file|->]",
    "--stack <name> --event <type> --count <n> [--throttle <n>] [--redeliver <fraction>] [--json <file|->]",
    "--live --stack <name> --event <type> (--instances <ids> | --tag k=v) --not-before <time> [--yes] [--follow <duration>]",
  ],
  flags: FLAGS,
  notes: ["Times: ISO-8601 (2026-11-23T18:00:00Z) or relative to now (+3d, +90m, +2h)."],
  exits: { [EXIT.ok]: "done", [EXIT.failed]: "the drill ran but something was lost or failed", [EXIT.usage]: "bad arguments, or refused (nothing created)", [EXIT.error]: "anything else", 130: "live: interrupted (its events cancelled)" },
};

const USAGE = `${usageText(DRILL)}\n(--help lists every flag and the exit codes)`;

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
    values = parseCommand(DRILL, argv, io.out);
    if (!values) return EXIT.ok;
    if (!values.stack || !values.event) throw new UsageError(`${values.stack ? "--event <type>" : "--stack <name>"} is required`);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`drill: ${e.message}\n${USAGE}`);
    return EXIT.usage;
  }
  // A JSON result on stdout (`--json -`) keeps stdout to itself: the report goes to stderr.
  if (values.json === "-") io = { ...io, out: io.err };

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
        if (values.json) writeOutput(values.json, JSON.stringify(report, null, 2) + "\n");
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
      if (values.json) writeOutput(values.json, JSON.stringify({ ...burst, drill: undefined }, null, 2) + "\n");
      const clean = burst.lost === 0 && burst.duplicates === 0 && burst.failed === 0 && burst.deliveries.waiting === 0 && burst.deadLetters === 0;
      return clean ? EXIT.ok : EXIT.failed;
    }

    const result = await runLocalDrill({ stack, event: values.event, instanceIds: [values.instance!], tags, at, start, cancel: values.cancel });
    io.out(renderLocalDrill(result, { verbose: values.verbose }));
    if (values.json) writeOutput(values.json, JSON.stringify({ ...result, calls: undefined }, null, 2) + "\n");
    return result.problems.length > 0 ? EXIT.failed : EXIT.ok;
  } catch (e) {
    if (e instanceof DrillError) {
      io.err(`drill: ${e.message}`);
      return ["Usage", "NeedsYes", "InvalidEventType", "InvalidInstanceId.NotFound", "InvalidNotBefore.Passed", "NoInstances"].includes(e.code) ? EXIT.usage : EXIT.failed;
    }
    // A queue trigger the plan declares but the routing model cannot read: the message names the trigger and the field.
    if (e instanceof QueueTriggerConfigError) {
      io.err(`drill: the plan of stack ${values.stack}: ${e.message}`);
      return EXIT.error;
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

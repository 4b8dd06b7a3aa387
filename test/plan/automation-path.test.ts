// The plan's "Automation event path" table (text, and the pull-request
// comment's section): per handler, the rule(s) → its MNS queue → the queue
// trigger with its batch window and retry strategy → the function, and the
// dead-letter queue. Rows for prod are checked against the stack config and
// handlers/contract/batching.ts; a broken path shows its gap.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import YAML from "yaml";
import { HANDLER_NAMES } from "../../handlers/catalogue";
import { DEFAULT_BATCH_WINDOWS } from "../../handlers/contract";
import type { PlanGraph } from "../../policies/plan-graph";
import { T } from "../../policies/stack";
import { automationPath, coverageMatrix } from "../../tools/plan/coverage";
import { renderComment } from "../../tools/plan/comment";
import { tierTemplate } from "../../tools/plan/mermaid";
import { NO_DLQ, NO_RULE, NO_TRIGGER, automationPathMarkdown, renderText } from "../../tools/plan/render";
import { ROOT, runPlan, stackVariant } from "./helpers";

const prodConfig = YAML.parse(fs.readFileSync(`${ROOT}/Pulumi.prod.yaml`, "utf8")).config;
/** The handlers prod deploys (infra/config/schema.ts: every catalogued handler unless listed). */
const handlers: string[] = prodConfig["event-ops:automation"].handlers ?? [...HANDLER_NAMES];
/** The window each prod handler is deployed with: the configured fields over the default (batchWindowOf). */
const windowOf = (h: string) => ({ ...DEFAULT_BATCH_WINDOWS[h as keyof typeof DEFAULT_BATCH_WINDOWS], ...(prodConfig["event-ops:automation"].batching?.[h] ?? {}) });

/** The text table's rows, each split into its cells, keyed by handler. */
function textRows(stdout: string): Map<string, string[]> {
  const at = stdout.indexOf("Automation event path:");
  assert.ok(at >= 0, "the plan prints no automation event path");
  const lines = stdout.slice(at).split("\n").slice(1);
  assert.match(lines[0], /^ {2}handler +\| rules +\| queue +\| trigger +\| function +\| dead-letter queue$/);
  assert.match(lines[1], /^ {2}-+(-\+-+)+$/);
  const rows = new Map<string, string[]>();
  for (const line of lines.slice(2)) {
    if (!line.startsWith("  ") || line.trim() === "") break;
    const cells = line.trim().split(" | ").map((c) => c.trim());
    rows.set(cells[0], cells);
  }
  return rows;
}

describe("plan: the automation event path", () => {
  const prod = () => {
    const r = runPlan("prod");
    assert.equal(r.status, 0, r.stderr);
    return r;
  };

  it("prints one row per prod handler: its rule → its queue → its queue trigger's batch window and retry → its function, DLQ", () => {
    const rows = textRows(prod().stdout);
    assert.deepEqual([...rows.keys()], [...handlers].sort());
    for (const h of handlers) {
      const w = windowOf(h);
      assert.deepEqual(rows.get(h), [h, `route-${h}`, `auto-${h}`, `queue: batch ${w.countBasedWindow} msgs / ${w.timeBasedWindowSeconds} s, BACKOFF_RETRY`, h, `auto-${h}-dlq`], `${h}'s row`);
    }
    // spot-drain takes the large batches (a mass interruption is one batch): the table says so.
    assert.equal(rows.get("spot-drain")![3], "queue: batch 1000 msgs / 2 s, BACKOFF_RETRY");
  });

  it("reads the rows from the graph: the trigger's queue, window and DLQ ARN, and the rules that send to that queue", () => {
    const g = prod().graph!;
    const rows = automationPath(g);
    for (const row of rows) {
      const trigger = g.resources.find((r) => r.type === T.fcTrigger && r.name === `handler-${row.handler}-queue`)!;
      const config = JSON.parse(String(trigger.inputs.triggerConfig));
      assert.equal(row.queue, config.eventSourceConfig.eventSourceParameters.sourceMNSParameters.QueueName);
      assert.equal(row.trigger?.countBasedWindow, config.runOptions.batchWindow.CountBasedWindow);
      assert.equal(`acs:mns:cn-hangzhou:1000000000000000:/queues/${row.deadLetterQueue}`, config.runOptions.deadLetterQueue.Arn);
      const senders = g.resources.filter((r) => r.type === T.eventRule && (r.inputs.mnsParameters as { queue?: string }[]).some((m) => m.queue === row.queue));
      assert.deepEqual(row.rules, senders.map((r) => String(r.inputs.ruleName)).sort());
      assert.equal(row.functionName, `eventops-prod-${row.handler}`);
    }
  });

  it("puts the same table in the pull-request comment, folded, names as code", () => {
    const md = prod().markdown!;
    assert.match(md, /<details><summary>Automation event path: 5 handler\(s\), rule → queue → queue trigger → function<\/summary>/);
    assert.match(md, /\| handler \| rules \| queue \| trigger \| function \| dead-letter queue \|\n\|---\|---\|---\|---\|---\|---\|\n/);
    assert.match(md, /\| `spot-drain` \| `route-spot-drain` \| `auto-spot-drain` \| queue: batch 1000 msgs \/ 2 s, BACKOFF_RETRY \| `spot-drain` \| `auto-spot-drain-dlq` \|/);
    for (const h of handlers) assert.ok(md.includes(`| \`${h}\` | \`route-${h}\` | \`auto-${h}\` |`), `${h} in the comment`);
  });

  it("shows a tier's handler target as its queue and the function the trigger feeds, in the coverage matrix and the path", () => {
    const v = stackVariant("prod", (c) => (c["event-ops:tiers"].CRITICAL.targets.functions = ["spot-drain"]));
    const r = runPlan(v.stack, v.dir);
    fs.rmSync(v.dir, { recursive: true, force: true });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /\| oncall \(phone\), sre \(phone\), mns:events, mns:auto-spot-drain → fc:spot-drain, webhook#1 \|/);
    const row = textRows(r.stdout).get("spot-drain")!;
    const critical = ["batch", "checkout", "ledger", "payments", "search"].flatMap((g) => [`${g}-critical`, `${g}-critical-rds`]);
    assert.deepEqual(row[1].split(", "), ["route-spot-drain", ...critical].sort());
    assert.equal(row[2], "auto-spot-drain");
    assert.equal(textRows(r.stdout).get("expiry")![1], "route-expiry", "other handlers' queues get only their own rule");
    // The tier template draws the queue with the function its trigger feeds; a tier queue no trigger reads stays plain.
    const m = tierTemplate(r.graph!).mermaid;
    assert.match(m, /critical_\d+\[\("queue: auto-spot-drain<br\/>trigger → function: spot-drain"\)\]/);
    assert.match(m, /critical_\d+\[\("queue: events"\)\]/);
  });

  describe("a broken path shows its gap", () => {
    const mutate = (change: (g: PlanGraph) => void) => {
      const g = structuredClone(prod().graph!);
      change(g);
      return g;
    };
    const config = (g: PlanGraph, handler: string, edit: (c: Record<string, any>) => void) => {
      const t = g.resources.find((r) => r.name === `handler-${handler}-queue`)!;
      const c = JSON.parse(String(t.inputs.triggerConfig));
      edit(c);
      t.inputs.triggerConfig = JSON.stringify(c);
    };

    it("no trigger: the queue's row says events reach no function", () => {
      const g = mutate((x) => (x.resources = x.resources.filter((r) => r.name !== "handler-expiry-queue")));
      const rows = textRows(renderText(g, coverageMatrix(g)));
      assert.deepEqual(rows.get("expiry"), ["expiry", "route-expiry", "auto-expiry", NO_TRIGGER, "expiry", "-"]);
      assert.match(automationPathMarkdown(g), new RegExp(`\\| \`expiry\` \\| \`route-expiry\` \\| \`auto-expiry\` \\| \\*\\*${NO_TRIGGER.replace(/[!—]/g, ".")}\\*\\* \\| \`expiry\` \\|`));
    });

    it("no dead-letter queue, errors not tolerated, disabled: each is in the trigger's cells", () => {
      const g = mutate((x) => {
        config(x, "maintenance", (c) => delete c.runOptions.deadLetterQueue);
        config(x, "state-record", (c) => (c.runOptions.errorsTolerance = "NONE"));
        config(x, "spot-drain", (c) => (c.triggerEnable = false));
      });
      const rows = textRows(renderText(g, coverageMatrix(g)));
      assert.equal(rows.get("maintenance")![5], NO_DLQ);
      assert.equal(rows.get("state-record")![3], "queue: batch 50 msgs / 2 s, BACKOFF_RETRY, errorsTolerance NONE");
      assert.equal(rows.get("spot-drain")![3], "queue: batch 1000 msgs / 2 s, BACKOFF_RETRY, DISABLED");
    });

    it("no rule sends to the queue", () => {
      const g = mutate((x) => (x.resources = x.resources.filter((r) => r.name !== "eventops-prod-route-state-record")));
      assert.equal(textRows(renderText(g, coverageMatrix(g))).get("state-record")![1], NO_RULE);
    });

    it("a stack without handlers prints no path table and the comment no such section", () => {
      const g = mutate((x) => (x.resources = x.resources.filter((r) => r.type !== "eventops:index:HandlerFunction" && !r.parent?.includes("HandlerFunction"))));
      assert.ok(!renderText(g, coverageMatrix(g)).includes("Automation event path"));
      assert.ok(!renderComment({ head: g, rows: coverageMatrix(g), violations: [] }).includes("Automation event path"));
    });
  });

  it("leaves the --json graph as recorded: the table is derived, nothing is added to the plan file's shape", () => {
    const g = prod().graph!;
    assert.deepEqual(Object.keys(g).sort(), ["invokes", "outputs", "project", "providers", "resources", "stack"]);
  });
});

// `npm run plan -- --stack <name> [--json f] [--markdown f] [--quiet]`
// Runs the real program in infra/ in-process under Pulumi's mock runtime with
// the stack's config, and prints what would be declared and who each tier
// reaches. Flags and exit codes: args.ts (`npm run plan -- --help`).
import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, formatIssues, loadStackConfig } from "../../infra/config/load";
import { declareStack } from "../../infra/stack";
import { coverageMatrix, emptyCells } from "./coverage";
import { PlanGraph } from "../../policies/plan-graph";
import { installMocks } from "./mocks";
import { renderText } from "./render";
import { renderComment } from "./comment";
import { StackFileError, readStackConfig } from "./stack-config";
import { blocks, renderViolationsText } from "../../policies/evaluate";
import { Violation } from "../../policies/model";
import { evaluatePlan } from "../../policies/plan-graph";
import { diffPlans, renderDiffMarkdown, StackMismatchError } from "./diff";
import { EXIT, planArgs, reportStream } from "./args";
import { prepareProgram } from "./prepare";
import { progressLog, writeOutput } from "../cli/command";

export { EXIT };

interface PlanOptions {
  root: string;
  stack: string;
}

/** Runs the program under mocks and returns the recorded graph. Throws ConfigError / StackFileError. */
export async function planStack(opts: PlanOptions): Promise<PlanGraph> {
  const files = readStackConfig(opts.root, opts.stack);
  pulumi.runtime.setAllConfig(files.config, files.secretKeys);
  const rec = installMocks(files.project, files.stack, files.config);

  const failures: Error[] = [];
  const onRejection = (e: unknown) => failures.push(e instanceof Error ? e : new Error(String(e)));
  process.on("unhandledRejection", onRejection);
  // infra/index.ts's program, with the exact secret paths the stack file marks
  // `secure:` (finer than the real CLI's per-key view). The config is validated
  // before anything is declared; a ConfigError surfaces here.
  const outputs = await pulumi.runtime.runInPulumiStack(async () => {
    rec.recordPlacement();
    return declareStack(loadStackConfig({ isSecret: (p) => files.secretPaths.has(p) }));
  });
  await (pulumi.runtime as unknown as { disconnect(): Promise<void> }).disconnect();
  process.off("unhandledRejection", onRejection);
  if (failures.length > 0) throw failures[0];
  return { project: files.project, stack: files.stack, resources: rec.resources, invokes: rec.invokes, outputs: byName((outputs ?? {}) as Record<string, unknown>), providers: rec.providers };
}

/** Outputs in name order, as the CLI lists a program's exports: a plan file does not change with declaration order. */
function byName(outputs: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(outputs).sort().map((k) => [k, outputs[k]]));
}

export async function main(argv: string[]): Promise<number> {
  const values = planArgs(argv);
  if (typeof values === "number") return values;
  const say = reportStream(values);
  const progress = progressLog("plan", values.progress);
  if (!values.check) {
    const refused = prepareProgram(progress);
    if (refused !== undefined) return refused;
    progress(`running infra/ for stack '${values.stack}' under mocks`);
  }
  const root = process.cwd();
  let graph: PlanGraph;
  try {
    graph = values.check ? (JSON.parse(fs.readFileSync(values.check, "utf8")) as PlanGraph) : await planStack({ root, stack: values.stack! });
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`Stack '${values.stack}': ${formatIssues(e.issues)}`);
      console.error("No resource was declared.");
      return EXIT.config;
    }
    if (e instanceof StackFileError) {
      console.error(e.message);
      return EXIT.config;
    }
    throw e;
  }

  if (values.json) writeFile(values.json, JSON.stringify(graph, null, 2) + "\n");
  const rows = coverageMatrix(graph);
  const violations = checkPolicies(graph, root);
  if (!values.quiet) {
    say(renderText(graph, rows));
    say(`\nPolicies (policies/, the same rules \`pulumi preview --policy-pack policies\` runs):`);
    say(violations.length === 0 ? "  all pass" : renderViolationsText(violations).replace(/^/gm, "  "));
  }
  let changes = 0;
  let base: PlanGraph | undefined;
  if (values.diff) {
    // A reviewable change list without credentials: the base branch's plan against this one.
    base = JSON.parse(fs.readFileSync(values.diff, "utf8")) as PlanGraph;
    let diff;
    try {
      diff = diffPlans(base, graph);
    } catch (e) {
      if (!(e instanceof StackMismatchError)) throw e;
      console.error(`plan: --diff ${values.diff}: ${e.message}`);
      return EXIT.config;
    }
    changes = diff.added.length + diff.removed.length + diff.changed.length;
    say(`\nChanges against ${values.diff}:\n${renderDiffMarkdown(diff)}`);
  }
  // The pull-request comment: summary first, details folded, bounded, contacts masked (comment.ts).
  if (values.markdown) writeFile(values.markdown, renderComment({ head: graph, rows, violations, ...(base ? { base, baseRows: coverageMatrix(base) } : {}) }));

  const empty = emptyCells(rows);
  if (empty.length > 0) {
    console.error(`\n${empty.length} empty coverage cell(s): ${empty.map((c) => `${c.group}/${c.level}`).join(", ")}`);
  }
  if (blocks(violations)) {
    const mandatory = violations.filter((v) => v.enforcement === "mandatory");
    console.error(`\n${mandatory.length} mandatory policy violation(s):\n${renderViolationsText(mandatory)}`);
    return EXIT.policy;
  }
  return values["exit-code"] && changes > 0 ? EXIT.changes : EXIT.ok;
}

/**
 * The policy pack over the recorded graph, with the required tag keys from the
 * stack config; the handlers' allowed RAM actions are the pack's own default
 * (the bundle manifest), as in a real preview.
 */
export function checkPolicies(graph: PlanGraph, root: string): Violation[] {
  let tags: string | undefined;
  try {
    tags = readStackConfig(root, graph.stack).config["event-ops:tags"];
  } catch (e) {
    if (!(e instanceof StackFileError)) throw e; // a recorded plan checked away from its stack file
  }
  const requiredTagKeys = tags ? ((JSON.parse(tags) as { required?: string[] }).required ?? []) : [];
  return evaluatePlan(graph, { requiredTagKeys });
}

/** `-` is stdout (args.ts then sends the report to stderr). */
const writeFile = writeOutput;

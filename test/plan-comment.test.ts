// The pull-request comment (npm run plan -- --diff base.json --markdown f):
// summary first, the change in config terms, details folded, one tier-template
// diagram, no email address or phone number, within GitHub's size limit
// without cutting anything silently, and refused against another stack's plan.
// Its HTML rendering is checked here; the screenshot is a script
// (tools/plan/render-comment.ts --png), as CI has no browser.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { coverageMatrix } from "../tools/plan/coverage";
import { GITHUB_COMMENT_LIMIT, renderComment } from "../tools/plan/comment";
import { diffPlans, StackMismatchError } from "../tools/plan/diff";
import { commentHtml } from "../tools/plan/render-comment";
import { GraphBuilder, compliantGraph, contactTarget } from "./policies/builders";
import { ROOT, runPlan, stackVariant } from "./plan/helpers";

/** Every email address and phone number the prod stack file holds, found by walking it (not by the masker's patterns). */
function contactDetails(): string[] {
  const config = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8")).config;
  const out: string[] = [];
  for (const c of config["event-ops:contacts"]) for (const k of ["email", "phone"]) if (typeof c[k] === "string") out.push(c[k], c[k].replace(/^\+86/, ""));
  out.push(config["event-ops:automation"].alerts.mailAccount);
  return out;
}

/** Headings (`## `, `### `) outside any <details> block. */
function unfoldedHeadings(md: string): string[] {
  let depth = 0;
  const out: string[] = [];
  for (const line of md.split("\n")) {
    depth += (line.match(/<details>/g) ?? []).length - (line.match(/<\/details>/g) ?? []).length;
    if (depth === 0 && /^#{2,3} /.test(line)) out.push(line);
  }
  return out;
}

describe("pull-request comment", function () {
  this.timeout(120_000);
  let comment: string;
  let base: NonNullable<ReturnType<typeof runPlan>["graph"]>;
  let dir: string;

  before(() => {
    // A realistic change: the WARN tier by chat instead of SMS, and a new group.
    base = runPlan("prod").graph!;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-comment-"));
    fs.writeFileSync(path.join(dir, "base.json"), JSON.stringify(base));
    const v = stackVariant("prod", (c) => {
      c["event-ops:tiers"].WARN.channels = "chat";
      c["event-ops:tags"].keys.app.values.push("web");
      c["event-ops:account"].tags.app.values.push("web");
      c["event-ops:groups"].push({ name: "web", description: "Public web front", maintenance: { policy: "proactive", window: { start: "01:00", end: "04:00" } }, expiry: { policy: "renew", renewMonths: 3 } });
    });
    const r = runPlan(v.stack, v.dir, ["--diff", path.join(dir, "base.json")]);
    fs.rmSync(v.dir, { recursive: true, force: true });
    assert.equal(r.status, 0, r.stderr);
    comment = r.markdown!;
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("starts with the summary: resources added / updated / replaced / removed, coverage before → after, the policy result", () => {
    const lines = comment.split("\n");
    assert.equal(lines[0], "## Offline plan: `prod`");
    const summary = comment.slice(0, comment.indexOf("### What changes"));
    const groups = base.resources.filter((r) => r.type === "eventops:index:ApplicationGroup").length;
    assert.match(summary, new RegExp(`\\*\\*Coverage:\\*\\* ${groups * 3}/${groups * 3} → ${(groups + 1) * 3}/${(groups + 1) * 3} group × tier cells reach someone`));
    assert.match(summary, /\*\*Policies:\*\* \*\*pass\*\*: every mandatory policy/);
    const m = /\*\*Resources:\*\* (\d+) added · (\d+) updated · (\d+) replaced · (\d+) removed/.exec(summary);
    assert.ok(m, summary);
    const [added, updated, replaced, removed] = m.slice(1).map(Number);
    assert.ok(added >= 7, "the new group's component, tag group and tier rules");
    assert.ok(updated > 0 && removed === 0);
    assert.equal(replaced, 1);
    assert.match(summary, /\*\*Replaced\*\* \(deleted, then created again\): `taxonomy-app` \(MetaTag: `values` ForceNew\)/);
  });

  it("says what changes in config terms", () => {
    const changes = comment.slice(comment.indexOf("### What changes"), comment.indexOf("<details>"));
    assert.match(changes, /- group `web` added \(app=web\), with the tier template; maintenance proactive \(01:00–04:00 UTC\+8\), expiry renew 3 month\(s\)/);
    assert.match(changes, /- tier WARN: owners sms → chat, sre sms → chat\n/);
    assert.match(changes, /- tag `app`: values \+ web\n/);
  });

  it("folds everything after the change list, with one tier-template diagram", () => {
    assert.deepEqual(unfoldedHeadings(comment), ["## Offline plan: `prod`", "### What changes"]);
    assert.equal(comment.match(/```mermaid/g)?.length, 1);
    assert.match(comment, /every application group \(6\)/);
    for (const s of ["Resource changes:", "Policies:", "Tier template:", "Coverage:", "Resources per region:", "resources by type"]) assert.ok(comment.includes(`<summary>`) && new RegExp(`<summary>[^<]*${s}`).test(comment), s);
    assert.equal((comment.match(/<details>/g) ?? []).length, (comment.match(/<\/details>/g) ?? []).length);
  });

  it("never shows an email address or a phone number", () => {
    for (const detail of contactDetails()) assert.ok(!comment.includes(detail), `${detail} appears in the comment`);
    assert.doesNotMatch(comment, /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+\.[A-Za-z.]{2,}/);
  });

  it("is refused against the plan of another stack (exit 2)", () => {
    const other = path.join(dir, "dev-plan.json");
    fs.writeFileSync(other, JSON.stringify({ ...base, stack: "dev" }));
    const r = runPlan("prod", ROOT, ["--diff", other]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /the base plan is of stack 'dev', this plan is of stack 'prod'/);
    assert.throws(() => renderComment({ head: base, rows: coverageMatrix(base), violations: [], base: { ...base, stack: "dev" } }), StackMismatchError);
  });

  it("stays within GitHub's comment limit and names what it left out and where it is", () => {
    // 300 groups, 300 more added, every resource changed in its own way: far more than one comment holds.
    const withGroups = (n: number) => {
      const g = compliantGraph();
      const b = new GraphBuilder();
      for (let i = 0; i < n; i++) b.applicationGroup(`group${i}`, { CRITICAL: { contactParameters: [contactTarget("oncall", "3")] }, WARN: { contactParameters: [contactTarget("oncall", "4")] }, INFO: { contactParameters: [contactTarget("oncall", "4")] } });
      g.resources.push(...b.graph.resources);
      return g;
    };
    const small = withGroups(300);
    const big = withGroups(600);
    big.resources.forEach((r, i) => ((r.inputs as Record<string, unknown>).description = `now described, ${i}`));
    const md = renderComment({ head: big, rows: coverageMatrix(big), violations: [], base: small, baseRows: coverageMatrix(small), fullReport: "the plan-test artifact" });
    assert.ok(md.length <= GITHUB_COMMENT_LIMIT, `${md.length} characters`);
    assert.ok(md.startsWith("## Offline plan: `test`"));
    const d = diffPlans(small, big);
    const replaced = d.changed.filter((r) => r.action === "replace").length;
    assert.match(md, new RegExp(`\\*\\*Resources:\\*\\* ${d.added.length} added · ${d.changed.length - replaced} updated · ${replaced} replaced`), "the summary counts everything, shown or not");
    // Whatever is not shown is counted or named, with where to find it.
    const counted = Number(/_(\d+) more changed resource\(s\) are not shown here/.exec(md)?.[1] ?? 0);
    const shownBlocks = (md.match(/\| `description` \|/g) ?? []).length;
    assert.ok(counted > 0, "some changed resources are left out, and counted");
    assert.ok(shownBlocks >= 1);
    assert.match(md, /The full diff is in the plan-test artifact/);
    assert.match(md, /and \d+ more, in the plan-test artifact/, "the added list says how many more");
    const sections = ["policies", "tier template", "coverage", "resources per region", "resources by type"];
    for (const s of sections) assert.ok(new RegExp(`<summary>${s}`, "i").test(md) || new RegExp(`Left out to stay within GitHub's 65,536-character comment limit: [^\\n]*${s}[^\\n]*the plan-test artifact`, "i").test(md), `${s}: shown or named as left out`);
  });

  it("renders to HTML with its mermaid block for Mermaid to draw and its details folded", () => {
    const html = commentHtml(comment);
    assert.equal((html.match(/<pre class="mermaid">/g) ?? []).length, 1);
    assert.match(html, /<pre class="mermaid">%%\{init: .*\}%%\nflowchart LR\n/);
    assert.doesNotMatch(html, /language-mermaid/);
    assert.doesNotMatch(html, /<details open>/);
    assert.equal((commentHtml(comment, { unfold: ["Tier template"] }).match(/<details open>/g) ?? []).length, 1);
    assert.equal((commentHtml(comment, { open: true }).match(/<details open>/g) ?? []).length, (comment.match(/<details>/g) ?? []).length);
    assert.match(html, /<h2>Offline plan: <code>prod<\/code><\/h2>/);
    assert.doesNotMatch(html, /<script|https?:\/\//, "nothing to fetch: Mermaid is injected from node_modules by the script");
  });
});

// The CI workflows, parsed: they call the npm scripts the README documents and
// package.json defines, plan every stack in a matrix, preview with the policy
// pack when credentials exist, and deploy prod only behind its protected environment.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";

const root = path.resolve(__dirname, "..");
const dir = path.join(root, ".github/workflows");
const STACKS = ["dev", "prod"];

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  needs?: string | string[];
  if?: string;
  environment?: string | { name: string };
  strategy?: { matrix?: Record<string, unknown> };
  env?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  name: string;
  on: Record<string, unknown>;
  jobs: Record<string, Job>;
}

const files = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
const workflows = new Map(files.map((f) => [f, YAML.parse(fs.readFileSync(path.join(dir, f), "utf8")) as Workflow]));
const scripts = Object.keys(JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).scripts as Record<string, string>);
const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");

/** `npm test` / `npm run <script>` invocations in a text, as script names. */
function npmScripts(text: string): string[] {
  return [...text.matchAll(/\bnpm (?:run(?: -s)? ([\w:-]+)|(test|ci)\b)/g)].map((m) => m[1] ?? m[2]);
}
const runs = (job: Job) => job.steps.map((s) => s.run ?? "").join("\n");
/** Steps that run a Pulumi command (pulumi/actions without `command` only installs the CLI). */
const pulumiSteps = (job: Job) => job.steps.filter((s) => s.uses?.startsWith("pulumi/actions@") && s.with?.command);
const byEvent = (event: string) => [...workflows.values()].filter((w) => event in (w.on ?? {}));
const environmentOf = (job: Job) => (typeof job.environment === "string" ? job.environment : job.environment?.name);

describe("CI workflows", () => {
  it("exist and parse", () => {
    assert.ok(files.length >= 2, `workflows: ${files.join(", ")}`);
    for (const [f, w] of workflows) {
      assert.ok(w.name && w.on && w.jobs && Object.keys(w.jobs).length > 0, `${f} lacks name, on or jobs`);
      for (const [id, job] of Object.entries(w.jobs)) assert.ok(Array.isArray(job.steps) && job.steps.length > 0, `${f}: job ${id} has no steps`);
    }
  });

  it("call only npm scripts that package.json defines", () => {
    for (const [f, w] of workflows) {
      for (const job of Object.values(w.jobs)) {
        for (const s of npmScripts(runs(job))) if (s !== "ci") assert.ok(scripts.includes(s), `${f} calls npm script "${s}", which package.json does not define`);
      }
    }
  });

  it("run, on pull requests, the scripts the README documents: npm test and npm run plan", () => {
    const documented = new Set(npmScripts(readme));
    for (const s of ["test", "plan"]) assert.ok(documented.has(s), `the README no longer documents npm ${s}`);
    const called = new Set(byEvent("pull_request").flatMap((w) => Object.values(w.jobs).flatMap((j) => npmScripts(runs(j)))));
    for (const s of ["ci", "typecheck", "test", "plan"]) assert.ok(called.has(s), `pull requests do not run npm ${s}`);
  });

  it("use pull_request, never pull_request_target (fork code must not see secrets)", () => {
    for (const [f, w] of workflows) assert.ok(!("pull_request_target" in w.on), f);
  });

  describe("pull requests", () => {
    const pr = byEvent("pull_request")[0];
    const jobs = Object.values(pr?.jobs ?? {});

    it("plan every stack in a matrix, with json, markdown, the base-branch diff, a summary and a sticky comment", () => {
      const plan = jobs.find((j) => /npm run plan -- --stack \$\{\{ matrix\.stack \}\} --json/.test(runs(j)));
      assert.ok(plan, "no job runs the offline plan per matrix stack");
      assert.deepEqual(plan.strategy?.matrix?.stack, STACKS);
      const text = runs(plan);
      assert.match(text, /--json plan-\$\{\{ matrix\.stack \}\}\.json --markdown plan-\$\{\{ matrix\.stack \}\}\.md/);
      assert.match(text, /--diff base-plan\.json/);
      assert.match(text, /GITHUB_STEP_SUMMARY/);
      assert.ok(plan.steps.some((s) => s.uses?.startsWith("actions/checkout@") && String(s.with?.ref ?? "").includes("base.sha")), "the base branch is not checked out");
      const comment = plan.steps.find((s) => s.uses?.startsWith("actions/github-script@"));
      assert.ok(comment && /eventops-plan:\$\{stack\}/.test(String(comment.with?.script)) && /updateComment/.test(String(comment.with?.script)), "no sticky comment per stack");
    });

    it("typecheck and test", () => {
      const text = jobs.map(runs).join("\n");
      for (const cmd of ["npm ci", "npm run typecheck", "npm test"]) assert.ok(text.includes(cmd), cmd);
    });

    it("preview each stack with the policy pack only when credentials exist", () => {
      const preview = jobs.find((j) => pulumiSteps(j).some((s) => s.with?.command === "preview"));
      assert.ok(preview, "no pulumi preview job");
      assert.deepEqual(preview.strategy?.matrix?.stack, STACKS);
      assert.match(preview.if ?? "", /credentials/);
      const step = pulumiSteps(preview)[0];
      assert.equal(step.with?.["stack-name"], "${{ matrix.stack }}");
      assert.equal(step.with?.policyPacks, "policies");
      assert.equal(String(step.with?.["comment-on-pr"]), "true");
      const gate = Object.values(pr.jobs).find((j) => j.steps.some((s) => Object.values(s.env ?? {}).some((v) => /secrets\.ALIBABA_CLOUD_ACCESS_KEY_ID != ''/.test(v))));
      assert.ok(gate && Object.values(gate.steps[0].env ?? {}).some((v) => /secrets\.PULUMI_ACCESS_TOKEN != ''/.test(v)), "no credentials check for both secrets");
    });
  });

  describe("pushes to main", () => {
    const deploy = byEvent("push").find((w) => JSON.stringify(w.on.push).includes("main"));

    it("pulumi up every stack with the policy pack, after verification", () => {
      assert.ok(deploy, "no workflow on push to main");
      const ups = Object.entries(deploy.jobs).filter(([, j]) => pulumiSteps(j).some((s) => s.with?.command === "up"));
      const stacks = ups.map(([, j]) => String(pulumiSteps(j)[0].with?.["stack-name"])).sort();
      assert.deepEqual(stacks, STACKS);
      for (const [id, j] of ups) {
        assert.equal(pulumiSteps(j)[0].with?.policyPacks, "policies", `${id} runs up without the policy pack`);
        assert.ok(runs(j).includes("npm run bundle"), `${id} deploys without bundling the handlers`);
      }
    });

    it("deploys prod behind the protected prod environment, after dev", () => {
      const [prodId, prod] = Object.entries(deploy!.jobs).find(([, j]) => pulumiSteps(j).some((s) => s.with?.["stack-name"] === "prod"))!;
      assert.equal(environmentOf(prod), "prod", `${prodId} is not behind the prod environment`);
      const [devId] = Object.entries(deploy!.jobs).find(([, j]) => pulumiSteps(j).some((s) => s.with?.["stack-name"] === "dev"))!;
      assert.ok([prod.needs].flat().includes(devId), "prod does not wait for dev");
    });
  });

  it("create each stack on first use (upsert) after setting its secrets from STACK_SECRETS_<STACK>", () => {
    const jobs = [...workflows.values()].flatMap((w) => Object.values(w.jobs)).filter((j) => pulumiSteps(j).length > 0);
    assert.ok(jobs.length >= 3, "up dev, up prod and the preview");
    for (const job of jobs) {
      const step = pulumiSteps(job)[0];
      assert.equal(String(step.with?.upsert), "true", `${step.with?.command} ${step.with?.["stack-name"]}: without upsert a missing stack fails at select (pulumi/actions src/main.ts)`);
      const at = job.steps.indexOf(step);
      const create = job.steps.slice(0, at).find((s) => /pulumi stack select --create "\$STACK"/.test(s.run ?? ""));
      assert.ok(create, `${step.with?.["stack-name"]}: no first-use step before the Pulumi command`);
      assert.match(create.run!, /pulumi config set --secret --path --stack "\$STACK" "\$key"/);
      assert.match(create.run!, /secure: PLACEHOLDER-/, "fails while a placeholder secret is left");
      assert.match(String(create.env?.STACK_SECRETS), /secrets(\.STACK_SECRETS_|\[format\('STACK_SECRETS_)/);
      assert.ok(job.steps.slice(0, at).some((s) => s.uses?.startsWith("pulumi/actions@") && !s.with?.command), "the CLI is installed first");
    }
  });

  it("keep secrets out of logs: only in step env, never in a script or job env", () => {
    for (const [f, w] of workflows) {
      for (const [id, job] of Object.entries(w.jobs)) {
        assert.ok(!JSON.stringify(job.env ?? {}).includes("secrets."), `${f}: job ${id} puts secrets in job env`);
        for (const s of job.steps) {
          assert.ok(!(s.run ?? "").includes("secrets."), `${f}: job ${id} step "${s.name ?? s.run}" uses a secret in its script`);
          assert.ok(!JSON.stringify(s.with ?? {}).includes("secrets."), `${f}: job ${id} passes a secret as an input`);
        }
      }
    }
  });
});

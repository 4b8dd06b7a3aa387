// The offline plan's command line: its flags, help and exit codes, and the
// checks on how flags combine. main.ts runs what was asked.
import * as fs from "node:fs";
import { parseCommand, usageText, UsageError, type Command, type Values } from "../cli/command";

export const EXIT = { ok: 0, policy: 1, config: 2, error: 3, changes: 4 } as const;

const flags = {
  stack: { type: "string", short: "s", value: "<name>", help: "the stack to plan: Pulumi.<name>.yaml in the current folder" },
  json: { type: "string", value: "<file>", help: "write every recorded resource (type, name, URN, parent, inputs) as JSON; `-` is stdout" },
  markdown: { type: "string", value: "<file>", help: "write the pull-request summary (with --diff: the change list) as markdown; `-` is stdout" },
  diff: { type: "string", value: "<base.json>", help: "list what this plan adds, removes and changes against a recorded plan (--json of the base branch)" },
  "exit-code": { type: "boolean", help: "with --diff: exit 4 when there are changes, 0 when there are none" },
  check: { type: "string", value: "<plan.json>", help: "re-check the coverage and policies of a recorded plan instead of planning" },
  quiet: { type: "boolean", short: "q", help: "print no report (files and exit code only)" },
  progress: { type: "boolean", help: "show progress on stderr (shown anyway when stderr is a terminal)" },
  help: { type: "boolean", short: "h", help: "this help" },
} as const;

export const PLAN: Command<typeof flags> = {
  name: "npm run plan --",
  summary:
    "The offline plan: runs the program in infra/ under Pulumi's mock runtime with a stack's config (nothing is decrypted, no cloud is called), type-checks it first as `pulumi preview` does, and reports what would be declared, who each tier reaches and what the policy pack says.",
  usage: [
    "--stack <name> [--json <file|->] [--markdown <file|->] [--quiet] [--progress]",
    "--stack <name> --diff <base.json> [--exit-code] [--markdown <file|->]",
    "--check <plan.json>",
  ],
  flags,
  exits: {
    [EXIT.ok]: "fine (with --diff --exit-code: and no changes)",
    [EXIT.policy]: "a mandatory policy is violated",
    [EXIT.config]: "the config or stack file is wrong, infra/ does not type-check, or bad arguments",
    [EXIT.error]: "anything else",
    [EXIT.changes]: "with --diff --exit-code: the plan has changes (and no policy is violated)",
  },
  notes: ["Example for scripts: npm run plan -- --stack prod --quiet --diff base.json --exit-code; case $? in 0) none;; 4) changed;; *) failed;; esac"],
};

export type PlanArgs = Values<typeof flags>;

/** The parsed flags, or the exit code when help or a usage error was already printed. */
export function planArgs(argv: string[], err: (s: string) => void = (s) => process.stderr.write(`${s}\n`)): PlanArgs | number {
  try {
    const values = parseCommand(PLAN, argv);
    if (!values) return EXIT.ok;
    if (!values.stack && !values.check) throw new UsageError("say which stack to plan (--stack <name>) or which recorded plan to check (--check <plan.json>)");
    if (values.stack && values.check) throw new UsageError("--check re-checks a recorded plan: give --stack or --check, not both");
    if (values["exit-code"] && !values.diff) throw new UsageError("--exit-code reports changes against a base plan: it needs --diff <base.json>");
    if (values.json === "-" && values.markdown === "-") throw new UsageError("only one of --json and --markdown can be `-` (stdout)");
    if (values.check) recordedPlan("--check", values.check);
    if (values.diff) recordedPlan("--diff", values.diff);
    return values;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err(`plan: ${e.message}\n${usageText(PLAN)}\n(--help lists every flag and the exit codes)`);
    return EXIT.config;
  }
}

/** A recorded plan given as an argument must be one: a `--json` file of `npm run plan`. */
function recordedPlan(flag: string, file: string): void {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new UsageError(`${flag} ${file}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`);
  }
  let plan: { resources?: unknown } | undefined;
  try {
    plan = JSON.parse(text);
  } catch {
    plan = undefined;
  }
  if (!plan || !Array.isArray(plan.resources)) throw new UsageError(`${flag} ${file}: not a recorded plan (the --json file of npm run plan)`);
}

/** A file written to stdout takes stdout: the report then goes to stderr. */
export function reportStream(values: PlanArgs): (line: string) => void {
  return values.json === "-" || values.markdown === "-" ? console.error : console.log;
}

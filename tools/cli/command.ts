// What every command line of the project shares: flags declared once with
// their help, `--help` listing them with the exit codes, bad arguments
// answered with the usage and exit 2 (never a stack trace), `--json -` on
// stdout, and progress on stderr only for a person (a TTY) or with --progress.
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { closest } from "../../infra/config/closest";

export interface Flag {
  type: "string" | "boolean";
  short?: string;
  /** Placeholder of a string flag's value in the help, e.g. `<name>`. */
  value?: string;
  help: string;
}
export type Flags = Record<string, Flag>;

export interface Command<F extends Flags> {
  /** How it is run, e.g. `npm run plan --`. */
  name: string;
  /** One line: what it does. */
  summary: string;
  /** Usage lines after the name, e.g. `--stack <name> [--json <file>]`. */
  usage: string[];
  flags: F;
  /** Exit code → meaning. */
  exits: Record<number, string>;
  /** Further help paragraphs. */
  notes?: string[];
}

/** Parsed flags: a boolean flag is false unless given; a string flag undefined unless given. */
export type Values<F extends Flags> = { [K in keyof F as F[K]["type"] extends "boolean" ? K : never]: boolean } & {
  [K in keyof F as F[K]["type"] extends "boolean" ? never : K]?: string;
};

export const EXIT_USAGE = 2;

/** Bad or missing arguments: reported with the usage and exit 2. */
export class UsageError extends Error {}

export function usageText(cmd: Command<Flags>): string {
  return cmd.usage.map((u, i) => `${i === 0 ? "usage: " : "       "}${cmd.name} ${u}`).join("\n");
}

export function helpText(cmd: Command<Flags>): string {
  const label = (n: string, f: Flag) => `${f.short ? `-${f.short}, ` : "    "}--${n}${f.type === "string" ? ` ${f.value ?? "<value>"}` : ""}`;
  const labels = Object.entries(cmd.flags).map(([n, f]) => label(n, f));
  const width = Math.max(...labels.map((l) => l.length));
  const flags = Object.values(cmd.flags).map((f, i) => `  ${labels[i].padEnd(width)}  ${f.help}`);
  const exits = Object.entries(cmd.exits).map(([code, meaning]) => `  ${code}  ${meaning}`);
  return [cmd.summary, "", usageText(cmd), "", "Flags:", ...flags, ...(cmd.notes ? ["", ...cmd.notes] : []), "", "Exit codes:", ...exits].join("\n");
}

/**
 * Parses argv against the command's flags (`--help` is always one). Returns
 * undefined when help was asked for (already printed), throws UsageError for
 * an unknown flag, a missing value or a stray argument.
 */
export function parseCommand<F extends Flags>(cmd: Command<F>, argv: string[], out: (s: string) => void = (s) => process.stdout.write(`${s}\n`)): Values<F> | undefined {
  const options = Object.fromEntries(
    Object.entries(cmd.flags).map(([n, f]) => [n, { type: f.type, ...(f.short ? { short: f.short } : {}), ...(f.type === "boolean" ? { default: false } : {}) }]),
  );
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false }));
  } catch (e) {
    throw new UsageError(describeParseError(e as Error & { code?: string }, Object.keys(cmd.flags)));
  }
  if (values.help) {
    out(helpText(cmd));
    return undefined;
  }
  return values as Values<F>;
}

/** node:util parseArgs errors in a person's words, with the nearest flag for a misspelt one. */
function describeParseError(e: Error & { code?: string }, flags: string[]): string {
  const unknown = /Unknown option '(-{1,2})([^']+)'/.exec(e.message);
  if (unknown) {
    const near = closest(unknown[2], flags, 3);
    return `Unknown option '${unknown[1]}${unknown[2]}'${near ? ` (did you mean --${near}?)` : ""}`;
  }
  const missing = /Option '(?:-\w, )?(--[\w-]+)(?: <value>)?' argument (?:missing|is ambiguous)/.exec(e.message);
  if (missing) return `${missing[1]} needs a value`;
  const positional = /Unexpected argument '([^']+)'/.exec(e.message);
  if (positional) return `unexpected argument '${positional[1]}': every argument is a --flag`;
  const value = /Option '(?:-\w, )?(--[\w-]+)' does not take an argument/.exec(e.message);
  if (value) return `${value[1]} takes no value`;
  return e.message.split("\n")[0];
}

/** A whole number within bounds, or a UsageError naming the flag. */
export function intFlag(value: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${flag} ${value}: a whole number from ${min} to ${max}`);
  return n;
}

/** Writes an output file; `-` is stdout. */
export function writeOutput(file: string, text: string): void {
  if (file === "-") {
    process.stdout.write(text);
    return;
  }
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, text);
}

/** Progress lines on stderr: shown to a person at a terminal, or when asked for (--progress); never mixed into stdout. */
export function progressLog(name: string, asked: boolean | undefined, stream: NodeJS.WriteStream = process.stderr): (line: string) => void {
  return asked || stream.isTTY ? (line) => stream.write(`${name}: ${line}\n`) : () => {};
}

/**
 * Runs a command's main as a script: its exit code, a UsageError as message +
 * usage on stderr with exit 2, anything else as an error with exit `failCode`.
 */
export function runScript(cmd: Command<Flags>, main: () => Promise<number>, failCode = 3): void {
  main().then(
    (code) => exitWhenFlushed(code),
    (e) => {
      if (e instanceof UsageError) {
        process.stderr.write(`${cmd.name.replace(/^npm run /, "").replace(/ --$/, "")}: ${e.message}\n${usageText(cmd)}\n(--help lists every flag and the exit codes)\n`);
        exitWhenFlushed(EXIT_USAGE);
        return;
      }
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      exitWhenFlushed(failCode);
    },
  );
}

/** Exits once stdout and stderr are flushed: writes to a pipe are asynchronous, and process.exit would cut a large `--json -`. */
function exitWhenFlushed(code: number): void {
  process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
}

// Renders a pull-request comment (the plan's --markdown) the way a reviewer
// sees it: GitHub-flavoured markdown to HTML (marked), folded <details> kept,
// ```mermaid blocks drawn by Mermaid, in headless Chromium; writes the HTML
// and, with --png, a screenshot.
//
//   npx ts-node --transpile-only tools/plan/render-comment.ts <comment.md> [--html <out.html>] [--png <out.png>] [--open | --unfold <summary text>...] [--width <px>]
//
// --open unfolds every <details>, --unfold those whose summary holds the text. The
// screenshot needs Chromium (Debian: apt-get install chromium; another binary:
// CHROMIUM_PATH); the HTML does not, and is what the test checks.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";

const ROOT = path.resolve(__dirname, "../..");
export const MERMAID_JS = path.join(ROOT, "node_modules/mermaid/dist/mermaid.min.js");

/** Close to GitHub's comment styles (light theme), enough to judge layout and length. */
const CSS = `
body { margin: 0; background: #f6f8fa; font: 14px/1.5 -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; color: #1f2328; }
.comment { box-sizing: border-box; margin: 16px; border: 1px solid #d1d9e0; border-radius: 6px; background: #fff; }
.comment > header { padding: 8px 16px; border-bottom: 1px solid #d1d9e0; background: #f6f8fa; border-radius: 6px 6px 0 0; color: #59636e; }
.comment > article { padding: 16px; }
h2 { font-size: 1.5em; border-bottom: 1px solid #d1d9e0; padding-bottom: .3em; margin: 0 0 16px; }
h3 { font-size: 1.25em; margin: 24px 0 16px; }
table { border-collapse: collapse; margin: 0 0 16px; display: block; max-width: 100%; overflow: auto; }
th, td { border: 1px solid #d1d9e0; padding: 6px 13px; vertical-align: top; }
tr:nth-child(2n) { background: #f6f8fa; }
code { font: 85% ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: rgba(129,139,152,.12); padding: .2em .4em; border-radius: 6px; }
pre { background: #f6f8fa; padding: 16px; border-radius: 6px; overflow: auto; }
pre.mermaid { background: #fff; text-align: center; }
details { margin: 0 0 8px; }
summary { cursor: pointer; font-weight: 600; }
ul { padding-left: 2em; }
`;

/** marked, loaded where it is (a dependency of mermaid, ESM; Node requires it directly). */
function markdownToHtml(markdown: string): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { marked } = require("marked") as { marked: { parse(md: string, o?: { gfm?: boolean; async?: false }): string } };
  return marked.parse(markdown, { gfm: true, async: false });
}

/**
 * The page: the comment's HTML in a GitHub-like frame, mermaid blocks as
 * `<pre class="mermaid">` for Mermaid to draw. `mermaidSrc`: a script URL,
 * or nothing (the caller injects Mermaid itself).
 */
export function commentHtml(markdown: string, o: { title?: string; open?: boolean; unfold?: string[]; mermaidSrc?: string } = {}): string {
  let body = markdownToHtml(markdown).replace(/<pre><code class="language-mermaid">([\s\S]*?)<\/code><\/pre>/g, (_, code: string) => `<pre class="mermaid">${code}</pre>`);
  body = body.replace(/<details>(\s*<summary>)([\s\S]*?)<\/summary>/g, (all, open: string, summary: string) =>
    o.open || (o.unfold ?? []).some((u) => summary.includes(u)) ? `<details open>${open}${summary}</summary>` : all,
  );
  const script = o.mermaidSrc ? `<script src="${o.mermaidSrc}"></script>\n<script>mermaid.initialize({ startOnLoad: true, theme: "default", securityLevel: "strict" });</script>` : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${o.title ?? "pull-request comment"}</title><style>${CSS}</style></head>
<body><div class="comment"><header><b>github-actions</b> (bot) commented</header><article>
${body}
</article></div>
${script}
</body></html>
`;
}

/** Launch flags for a sandbox-less, offline, throwaway Chromium. */
export const CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/** Opens the page in headless Chromium, lets Mermaid draw every diagram, screenshots the whole comment. */
export async function screenshot(html: string, png: string, o: { width?: number; executablePath?: string } = {}): Promise<{ diagrams: number; errors: string[] }> {
  const { chromium } = await import("playwright-core");
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "render-comment-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: o.executablePath ?? process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: o.width ?? 1000, height: 800 },
    deviceScaleFactor: 1,
  });
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    // Nothing leaves the machine: the page and Mermaid come from here.
    await page.route("**/*", (route) => (route.request().url().startsWith("data:") ? route.continue() : route.abort()));
    await page.setContent(html, { waitUntil: "load" });
    await page.addScriptTag({ path: MERMAID_JS });
    const diagrams = await page.evaluate(async () => {
      type El = { setAttribute(n: string, v: string): void; removeAttribute(n: string): void };
      const g = globalThis as unknown as { mermaid: { initialize(c: object): void; run(o: object): Promise<void> }; document: { querySelectorAll(s: string): ArrayLike<El> } };
      g.mermaid.initialize({ startOnLoad: false, theme: "default", securityLevel: "strict" });
      // Mermaid cannot measure text in a closed <details>: draw with every one open, then fold them back.
      const closed = Array.from(g.document.querySelectorAll("details:not([open])"));
      closed.forEach((d) => d.setAttribute("open", ""));
      await g.mermaid.run({ querySelector: "pre.mermaid" });
      closed.forEach((d) => d.removeAttribute("open"));
      return g.document.querySelectorAll("pre.mermaid svg").length;
    });
    await page.locator(".comment").screenshot({ path: png });
    return { diagrams, errors };
  } finally {
    await context.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { html: { type: "string" }, png: { type: "string" }, open: { type: "boolean", default: false }, unfold: { type: "string", multiple: true }, width: { type: "string" }, help: { type: "boolean", short: "h" } },
  });
  const usage = "usage: npx ts-node --transpile-only tools/plan/render-comment.ts <comment.md> [--html <out.html>] [--png <out.png>] [--open | --unfold <summary text>...] [--width <px>]";
  if (values.help) return console.log(usage), 0;
  if (positionals.length !== 1) return console.error(usage), 2;
  const markdown = fs.readFileSync(positionals[0], "utf8");
  const shown = { open: values.open, unfold: values.unfold, title: path.basename(positionals[0]) };
  const html = commentHtml(markdown, shown);
  if (values.html) fs.writeFileSync(values.html, commentHtml(markdown, { ...shown, mermaidSrc: path.relative(path.dirname(path.resolve(values.html)), MERMAID_JS) }));
  if (values.png) {
    const r = await screenshot(html, values.png, { width: values.width ? Number(values.width) : undefined });
    console.log(`${values.png}: ${r.diagrams} diagram(s) drawn${r.errors.length ? `; page errors: ${r.errors.join("; ")}` : ""}`);
    if (r.errors.length) return 1;
  }
  if (!values.html && !values.png) process.stdout.write(html);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      console.error(e);
      process.exit(3);
    },
  );
}

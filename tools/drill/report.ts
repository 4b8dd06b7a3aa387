// Renders a local drill as a timeline a person reads top to bottom: each
// status as emitted, the rules it matched, who would be told, the queues it
// went to and the triggers that took it to a function, what each handler did
// (its outcome JSON), and the final state.
import { outcomeLine } from "../../handlers/core/outcome";
import type { QueueHop } from "../routing/route";
import type { TimelineEntry } from "./twin";
import { iso, type LocalDrillResult } from "./local";

const list = (xs: string[]) => (xs.length ? xs.join(", ") : "—");

/** `queue → function (trigger queue: batches of up to 1000 messages or 2 s)`. */
export function hopText(h: QueueHop): string {
  const w = h.window ? `batches of up to ${h.window.countBasedWindow} message(s) or ${h.window.timeBasedWindowSeconds} s` : "no batch window declared";
  return `${h.queue} → ${h.function} (trigger ${h.trigger}: ${w})`;
}

export function renderEntry(e: TimelineEntry, opts: { verbose?: boolean } = {}): string[] {
  const at = iso(e.at);
  if (e.kind === "note") return [`${at}  · ${e.text}`];
  if (e.kind === "event") {
    const r = e.routing;
    const status = r.event.status && !e.event.name.endsWith(`:${r.event.status}`) ? ` (content.eventStatus ${r.event.status})` : "";
    const lines = [
      `${at}  ▶ ${e.event.name} [${e.event.level}]${status} ${e.resourceId.startsWith("i-") ? "instance" : "about"} ${e.resourceId}`,
      `      groups:    ${list(r.groups)}`,
      `      rules:     ${list(r.rules)}`,
      `      tell:      ${list(r.contacts)}`,
      `      queues:    ${list(r.queues)}    webhooks: ${list(r.webhooks)}`,
      `      functions: ${list(r.functions)}${e.invoked.length ? `  → runs ${e.invoked.join(", ")}` : ""}`,
      ...r.viaQueue.map((h) => `      via:       ${hopText(h)}`),
    ];
    if (r.unreached.length) lines.push(`      unreached: ${r.unreached.join(", ")} (the catalogue routes it there; it reaches no function of theirs: no firing rule targets one, nor a queue a trigger of theirs reads${e.invoked.some((h) => r.unreached.includes(h)) ? "; run anyway: --include-undeployed" : ""})`);
    if (opts.verbose) lines.push(...JSON.stringify(e.event).match(/.{1,160}/g)!.map((l) => `      ${l}`));
    return lines;
  }
  const o = e.outcome;
  const how = e.trigger === "timer" ? " (timer)" : e.batch ? ` (batch ${e.batch.seq} of ${e.batch.size} from ${e.batch.queue})` : " (direct)";
  return [`${at}  ◆ ${e.handler}${how}${e.redelivery ? " (redelivered)" : ""} → ${o.outcome}: ${o.reason ?? ""}`, `      ${outcomeLine(o)}`];
}

export function renderLocalDrill(r: LocalDrillResult, opts: { verbose?: boolean } = {}): string {
  const lines = [
    `local drill: ${r.event} on stack ${r.stack}, ${r.instances.length} instance(s), virtual start ${iso(r.startedAt)}${r.notBefore ? `, notBefore ${iso(r.notBefore)}` : ""}`,
    "  time is virtual: the handlers' waits and back-offs and the queue triggers' windows and retries run on the fake's clock, with the stack's own settings",
    "",
    // Handler entries carry their start time: a stable sort puts them right after their cause.
    ...[...r.timeline].sort((a, b) => a.at - b.at).flatMap((e) => renderEntry(e, opts)),
    "",
    "final state:",
  ];
  for (const i of r.instances.slice(0, 20)) {
    lines.push(`  ${i.instanceId}${i.resourceId ? ` (event about ${i.resourceId})` : ""}: event ${i.eventId ?? "-"} ${i.finalStatus ?? "(no lifecycle)"}; instance ${i.instanceStatus}`);
    lines.push(`    weights before: ${list(i.before)}`);
    lines.push(`    weights after:  ${list(i.after)}${i.after.length === 0 ? " (out of every load balancer)" : i.after.join() === i.before.join() ? " (as before)" : ""}`);
    if (i.expiry) lines.push(`    expires: ${i.expiry.before}${i.expiry.after === undefined ? " (released)" : i.expiry.after !== i.expiry.before ? ` → ${i.expiry.after} (renewed)` : " (not renewed)"}`);
  }
  if (r.instances.length > 20) lines.push(`  ... ${r.instances.length - 20} more instance(s)`);
  lines.push(`  queues: ${list(r.queues.filter((q) => q.depth > 0).map((q) => `${q.name} ${q.depth} message(s)${q.readBy ? ` (waiting for ${q.readBy})` : ""}`))}`);
  const d = r.deliveries;
  lines.push(`  events handed to handlers: ${d.sent}; with an outcome ${d.answered}, waiting ${d.waiting}, dead-lettered ${d.deadLettered}, lost ${d.lost}; function invocations ${r.invocations.started} (${r.batches.length} queue-trigger batch(es))`);
  lines.push(`  dead letters: ${r.deadLetters}`);
  lines.push(`  alerts published: ${r.alerts.length}`);
  for (const a of r.alerts.slice(0, 10)) {
    const kinds = Object.keys(a.attributes ?? {}).join("+");
    lines.push(`    ${iso(a.at)} ${a.topic}: ${String(a.message.summary ?? a.message.alert ?? JSON.stringify(a.message)).slice(0, 160)}`);
    lines.push(`      reaches ${list(a.reaches)}${kinds ? ` (with ${kinds})` : ""}`);
  }
  if (r.alerts.length > 10) lines.push(`    ... ${r.alerts.length - 10} more`);
  if (r.records.length) lines.push(`  maintenance records: ${r.records.map((x) => `${x.eventId} ${x.phase}${x.outcome ? ` (${x.outcome})` : ""}`).join(", ")}`);
  lines.push(r.problems.length ? `PROBLEMS (exit 1):` : `problems: none`);
  for (const p of r.problems) lines.push(`  - ${p}`);
  lines.push(`  wall time: ${Math.round(r.wallMs)} ms`);
  return lines.join("\n");
}

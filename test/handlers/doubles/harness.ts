// Builds an invocation over in-memory doubles, and events to feed it.
import * as fs from "node:fs";
import * as path from "node:path";
import { parseEnv } from "../../../handlers/contract";
import type { EventHandler } from "../../../handlers/core/handler";
import { runInvocation } from "../../../handlers/runtime/invoke";
import type { Outcome } from "../../../handlers/core/outcome";
import { deadlineAt } from "../../../handlers/core/ports";
import { MemoryCloud } from "./memory-cloud";
import { ManualClock, MemoryDeadLetter, MemoryObjectStore, MemoryTopics } from "./ports";

export const FIXTURES_DIR = path.join(__dirname, "..", "fixtures", "events");

export function fixture(name: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES_DIR, `${name}.json`), "utf8"));
}

export function fixtureNames(): string[] {
  return fs.readdirSync(FIXTURES_DIR).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5)).sort();
}

export const BASE_ENV = {
  SCOPE_TAG_KEY: "event-ops",
  SCOPE_TAG_VALUE: "managed",
  DRAIN_WAIT_SECONDS: "20",
  MIN_HEALTHY_BACKENDS: "1",
  IDEMPOTENCY_BUCKET: "markers",
  IDEMPOTENCY_PREFIX: "event-ops/markers",
  DEAD_LETTER_QUEUE: "event-ops-dlq",
  ALERT_TOPIC: "event-ops-critical",
  RETRY_BASE_DELAY_MS: "1",
  RETRY_MAX_DELAY_MS: "5",
};
export const IN_SCOPE = { [BASE_ENV.SCOPE_TAG_KEY]: BASE_ENV.SCOPE_TAG_VALUE };

let seq = 0;
/** A CMS system event in the documented shape, for any catalogued name. */
export function makeEvent(name: string, instanceId: string, content: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Record<string, unknown> {
  seq++;
  return {
    ver: "1.0",
    id: `TEST-${seq}-${Math.random().toString(16).slice(2, 8)}`,
    product: "ECS",
    resourceId: `acs:ecs:cn-hangzhou:1234567890123456:instance/${instanceId}`,
    level: "WARN",
    name,
    userId: "1234567890123456",
    eventTime: "20261121T083000.501+0800",
    regionId: "cn-hangzhou",
    content: { instanceId, ...content },
    ...extra,
  };
}

/**
 * The region CMS routes an event to: its own (each region's rule targets that region's function).
 * The harness's function runs there unless a test pins `regionId` (as the region-check tests do).
 */
function regionOfBody(body: unknown): string | undefined {
  try {
    const text = Buffer.isBuffer(body) ? body.toString("utf8") : typeof body === "string" ? body : JSON.stringify(body);
    const region = (JSON.parse(text) as { regionId?: unknown }).regionId;
    return typeof region === "string" ? region : undefined;
  } catch {
    return undefined;
  }
}

export function harness(handler: EventHandler, env: Record<string, string> = {}, opts: { regionId?: string } = {}) {
  const cloud = new MemoryCloud();
  const store = new MemoryObjectStore();
  const dlq = new MemoryDeadLetter();
  const topics = new MemoryTopics();
  const clock = new ManualClock();
  const config = parseEnv({ ...BASE_ENV, ...env });
  let n = 0;
  const invoke = (body: unknown, requestId = `req-${++n}`): Promise<Outcome> =>
    runInvocation(body, { handler, config, cloudApi: cloud, objects: store, deadLetter: dlq, topics, clock, deadline: deadlineAt(clock.now() + 290_000, clock.now), requestId, regionId: opts.regionId ?? regionOfBody(body) ?? "cn-hangzhou", leaseMs: 360_000 });
  return { cloud, store, dlq, topics, clock, config, invoke };
}

export const buffer = (event: unknown) => Buffer.from(JSON.stringify(event));

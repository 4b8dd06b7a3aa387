// Runs a handler in-process against the local fake cloud: the real RPC adapter
// (signed requests over loopback) for ECS/SLB/ALB/ESS, in-memory doubles for
// markers, dead letters and topics, and one virtual clock shared by the fake
// and the handler, so ALB jobs, drain waits and retries take virtual time.
import { parseEnv } from "../../../handlers/contract";
import { credentialSource } from "../../../handlers/cloud/credentials";
import { OpenApiCloud } from "../../../handlers/cloud/openapi";
import { CloudGateway } from "../../../handlers/core/gateway";
import type { EventHandler } from "../../../handlers/core/handler";
import type { Outcome } from "../../../handlers/core/outcome";
import { deadlineAt, type ApiCall, type Clock, type CloudApi } from "../../../handlers/core/ports";
import { runInvocation } from "../../../handlers/runtime/invoke";
import { endpointEnv, FakeClock, startFakeCloud, type FakeCloud } from "../../../local-cloud";
import { BASE_ENV } from "./harness";
import { MemoryDeadLetter, MemoryObjectStore, MemoryTopics } from "./ports";

/**
 * The fake's clock as a handler Clock. A sleep moves virtual time to its own
 * end unless another sleeper already moved it further: concurrent sleeps
 * overlap, as they would in real time.
 */
export function virtualClock(clock: FakeClock): Clock & { slept: number[] } {
  const slept: number[] = [];
  return {
    slept,
    now: () => clock.now(),
    sleep: async (ms: number) => {
      slept.push(ms);
      const until = clock.now() + ms;
      await new Promise((resolve) => setImmediate(resolve));
      if (until > clock.now()) clock.advance(until - clock.now());
    },
  };
}

export interface FakeRun {
  fake: FakeCloud;
  fakeClock: FakeClock;
  clock: Clock & { slept: number[] };
  store: MemoryObjectStore;
  dlq: MemoryDeadLetter;
  topics: MemoryTopics;
  invoke(handler: EventHandler, body: unknown, env?: Record<string, string>): Promise<Outcome>;
  /** A gateway over the real RPC adapter, on the virtual clock; `calls` records what it sent. */
  gateway(eventKey?: string): { cloud: CloudGateway; calls: ApiCall[] };
  close(): Promise<void>;
}

export async function fakeCloudRun(opts: { accessKeySecret?: string } = {}): Promise<FakeRun> {
  const fakeClock = new FakeClock("2026-11-21T00:30:00Z");
  const fake = await startFakeCloud({ clock: fakeClock });
  const clock = virtualClock(fakeClock);
  const store = new MemoryObjectStore();
  const dlq = new MemoryDeadLetter();
  const topics = new MemoryTopics();
  let n = 0;
  return {
    fake,
    fakeClock,
    clock,
    store,
    dlq,
    topics,
    invoke(handler, body, env = {}) {
      const config = parseEnv({ ...BASE_ENV, API_CALL_TIMEOUT_MS: "5000", ...env });
      const deadline = deadlineAt(clock.now() + 290_000, clock.now);
      const credentials = credentialSource({ accessKeyId: fake.accessKeyId, accessKeySecret: opts.accessKeySecret ?? fake.accessKeySecret });
      const cloudApi = new OpenApiCloud({ env: endpointEnv(fake), credentials, retry: config.api, deadline, callTimeoutMs: config.api.callTimeoutMs });
      return runInvocation(Buffer.from(JSON.stringify(body)), { handler, config, cloudApi, objects: store, deadLetter: dlq, topics, clock, deadline, requestId: `req-${++n}`, regionId: "cn-hangzhou", leaseMs: 360_000 });
    },
    gateway(eventKey = "event-1") {
      const config = parseEnv(BASE_ENV);
      const deadline = deadlineAt(clock.now() + 290_000, clock.now);
      const credentials = credentialSource({ accessKeyId: fake.accessKeyId, accessKeySecret: fake.accessKeySecret });
      const adapter = new OpenApiCloud({ env: endpointEnv(fake), credentials, retry: config.api, deadline, callTimeoutMs: 5_000 });
      const calls: ApiCall[] = [];
      const recording: CloudApi = { call: (c) => (calls.push(c), adapter.call(c)) };
      return { cloud: new CloudGateway(recording, { dryRun: false, eventKey, regionId: "cn-hangzhou", pacing: { clock, deadline } }), calls };
    },
    close: () => fake.close(),
  };
}

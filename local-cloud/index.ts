// A local fake of the Alibaba Cloud APIs the project's handlers call (ECS,
// SLB, ALB, ESS, CMS, OSS, MNS), speaking the real wire protocols with
// signature checks, for tests and drills.
import { FakeCloud, type FakeCloudOptions } from "./server";

export { FakeCloud, DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, RPC_PRODUCTS } from "./server";
export type { FakeCloudOptions, SystemEventListener } from "./server";
export { FakeClock, systemClock, type Clock } from "./clock";
export type { CmsSystemEvent } from "./cms-events";
export type { CallRecord, Product } from "./calls";
export { Faults } from "./faults";
export { drainFloor, quotaMs, type Floor, type FloorLimits, type FloorTarget, type TargetKind } from "./floor";
export { QueueTrigger, BATCH_LIMITS, RETRY_STRATEGIES, type MnsCloudEvent, type PushRetryStrategy, type QueueTriggerOptions } from "./queue-trigger";
export { RateLimits, ASSUMED_WRITE_QUOTAS, CLB_BACKEND_WRITES, ALB_SERVER_WRITES, burstOf, type RateQuota } from "./rate-limits";
export { ApiError } from "./errors";
export { DEFAULT_TIMING, type LifecycleTiming } from "./lifecycle";
export { SIMULATED_EVENT_LIMIT, SIMULATABLE_EVENT_TYPES } from "./products/ecs";
export * from "./state";

/** Starts the fake on 127.0.0.1 (random port unless `port` is given). */
export async function startFakeCloud(opts: FakeCloudOptions = {}): Promise<FakeCloud> {
  return new FakeCloud(opts).listen();
}

/** Environment for a child process (handlers, drills) to reach the fake. */
export function endpointEnv(fake: FakeCloud): Record<string, string> {
  return {
    ALIBABA_CLOUD_ENDPOINT_ECS: fake.url,
    ALIBABA_CLOUD_ENDPOINT_SLB: fake.url,
    ALIBABA_CLOUD_ENDPOINT_ALB: fake.url,
    ALIBABA_CLOUD_ENDPOINT_ESS: fake.url,
    ALIBABA_CLOUD_ENDPOINT_CMS: fake.url,
    ALIBABA_CLOUD_ENDPOINT_OSS: fake.url,
    ALIBABA_CLOUD_ENDPOINT_MNS: fake.url,
    ALIBABA_CLOUD_ACCESS_KEY_ID: fake.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: fake.accessKeySecret,
  };
}

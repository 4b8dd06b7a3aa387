// The drill's cloud port: the handlers' own RPC adapter (handlers/cloud), so a
// drill reaches whatever ALIBABA_CLOUD_ENDPOINT_ECS points at — the real
// account, or the fake cloud in tests.
import { credentialSource, type AccessKey } from "../../handlers/cloud/credentials";
import { OpenApiCloud } from "../../handlers/cloud/openapi";
import type { CloudApi } from "../../handlers/core/ports";

export interface DrillCloudOptions {
  env?: Record<string, string | undefined>;
  /** Explicit keys (tests); default: the standard credential chain (env, RAM role, ...). */
  credentials?: AccessKey;
  callTimeoutMs?: number;
}

export function drillCloud(o: DrillCloudOptions = {}): CloudApi {
  return new OpenApiCloud({
    env: o.env ?? process.env,
    credentials: credentialSource(o.credentials),
    retry: { maxAttempts: 5, baseDelayMs: 200, maxDelayMs: 5_000 },
    // A drill is not bound by a function timeout; each call still is.
    deadline: { remainingMs: () => Number.MAX_SAFE_INTEGER },
    callTimeoutMs: o.callTimeoutMs ?? 10_000,
  });
}

// Retries with exponential backoff and full jitter, bounded by the invocation's
// deadline: no attempt starts once the deadline has passed.
import { backOff } from "exponential-backoff";
import type { Deadline } from "../core/ports";

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** The error shape shared by every adapter (openapi-client errors already look like this). */
export interface ApiErrorLike {
  code?: string;
  statusCode?: number;
  message?: string;
  name?: string;
  /** From `x-acs-retry-after` (or `Retry-After`), when the response showed it. */
  retryAfterMs?: number;
}

const RETRYABLE_CODE = /^(Throttling|Rejected\.Throttling|ServiceUnavailable)/;
const NETWORK_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EPIPE", "EAI_AGAIN", "ECONNABORTED", "ENETUNREACH", "EHOSTUNREACH", "UND_ERR_SOCKET"]);

export function isRetryable(err: unknown): boolean {
  const e = (err ?? {}) as ApiErrorLike & { code?: unknown };
  if (e.name === "DeadlineExceeded") return false;
  const code = typeof e.code === "string" ? e.code : "";
  if (RETRYABLE_CODE.test(code)) return true;
  if (typeof e.statusCode === "number" && e.statusCode >= 500) return true;
  if (NETWORK_CODES.has(code)) return true;
  if (typeof e.name === "string" && /Timeout/i.test(e.name)) return true;
  return typeof e.message === "string" && /socket hang up/i.test(e.message);
}

export class DeadlineExceeded extends Error {
  override name = "DeadlineExceeded";
  code = "DeadlineExceeded";
}

export async function withRetry<T>(what: string, attempt: (timeoutMs: number) => Promise<T>, policy: RetryPolicy, deadline: Deadline, callTimeoutMs: number): Promise<T> {
  return backOff(
    () => {
      const left = deadline.remainingMs();
      if (left <= 0) throw new DeadlineExceeded(`${what}: invocation deadline reached, not starting another attempt`);
      return attempt(Math.max(1, Math.min(callTimeoutMs, left)));
    },
    {
      numOfAttempts: policy.maxAttempts,
      startingDelay: policy.baseDelayMs,
      maxDelay: policy.maxDelayMs,
      jitter: "full",
      retry: async (err: ApiErrorLike) => {
        if (!isRetryable(err)) return false;
        // Honour the server's hint; the library's own (jittered) delay follows.
        const hint = err.retryAfterMs ?? 0;
        if (hint > 0) {
          if (hint >= deadline.remainingMs()) return false;
          await new Promise((resolve) => setTimeout(resolve, Math.min(hint, policy.maxDelayMs)));
        }
        return deadline.remainingMs() > 0;
      },
    },
  );
}

/** `x-acs-retry-after` is milliseconds in the newer SDKs; `Retry-After` is seconds. */
export function retryAfterFromHeaders(headers: Record<string, string | string[] | undefined>): number | undefined {
  const acs = Number(headers["x-acs-retry-after"]);
  if (Number.isFinite(acs) && acs > 0) return acs;
  const standard = Number(headers["retry-after"]);
  return Number.isFinite(standard) && standard > 0 ? standard * 1000 : undefined;
}

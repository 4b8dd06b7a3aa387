// Fault injection, per action (or "*" for any): throttling, 5xx, delays, the
// N-th call failing, permanent failure. Rules are checked in the order added.
import { ApiError } from "./errors";

export type ActionMatch = string; // an action name, or "*"

interface ErrorSpec {
  status?: number;
  code?: string;
  message?: string;
}

type Rule =
  | { kind: "error"; action: ActionMatch; remaining: number; error: ApiError }
  | { kind: "nth"; action: ActionMatch; seen: number; nth: number; error: ApiError }
  | { kind: "delay"; action: ActionMatch; remaining: number; ms: number };

const err = (spec: ErrorSpec, fallback: ErrorSpec): ApiError =>
  new ApiError(spec.status ?? fallback.status!, spec.code ?? fallback.code!, spec.message ?? fallback.message ?? `Injected fault: ${spec.code ?? fallback.code}`);

export class Faults {
  private rules: Rule[] = [];

  /** The next `n` calls answer `Throttling.User` (HTTP 400 unless `status` says 503). */
  throttle(action: ActionMatch, n = 1, spec: ErrorSpec = {}): this {
    this.rules.push({ kind: "error", action, remaining: n, error: err(spec, { status: 400, code: "Throttling.User", message: "Request was denied due to user flow control." }) });
    return this;
  }

  /** The next `n` calls fail with a server error (default 503 ServiceUnavailable). */
  fail(action: ActionMatch, n = 1, spec: ErrorSpec = {}): this {
    this.rules.push({ kind: "error", action, remaining: n, error: err(spec, { status: 503, code: "ServiceUnavailable", message: "The request has failed due to a temporary failure of the server." }) });
    return this;
  }

  /** Every call fails from now on (until `clear`). */
  failAlways(action: ActionMatch, spec: ErrorSpec = {}): this {
    this.rules.push({ kind: "error", action, remaining: Infinity, error: err(spec, { status: 500, code: "InternalError", message: "The request processing has failed due to some unknown error." }) });
    return this;
  }

  /** Only the `nth` call from now on (1-based) fails, with the given error. */
  failNth(action: ActionMatch, nth: number, spec: ErrorSpec = {}): this {
    this.rules.push({ kind: "nth", action, seen: 0, nth, error: err(spec, { status: 500, code: "InternalError" }) });
    return this;
  }

  /**
   * The next `n` calls (default: all) are answered `ms` later, so a client
   * timeout can fire. The call still takes effect after the delay even if the
   * client gave up, as with a real timeout: retries must be idempotent.
   */
  delay(action: ActionMatch, ms: number, n = Infinity): this {
    this.rules.push({ kind: "delay", action, remaining: n, ms });
    return this;
  }

  clear(action?: ActionMatch): this {
    this.rules = action === undefined ? [] : this.rules.filter((r) => r.action !== action);
    return this;
  }

  /** Consumes the rules that apply to one call: a delay (ms) and/or an error to answer. */
  take(action: string): { delayMs: number; error?: ApiError } {
    let delayMs = 0;
    let error: ApiError | undefined;
    for (const r of this.rules) {
      if (r.action !== "*" && r.action !== action) continue;
      if (r.kind === "delay" && r.remaining > 0) {
        r.remaining--;
        delayMs += r.ms;
      } else if (r.kind === "nth") {
        r.seen++;
        if (r.seen === r.nth && !error) error = r.error;
      } else if (r.kind === "error" && r.remaining > 0 && !error) {
        r.remaining--;
        error = r.error;
      }
    }
    this.rules = this.rules.filter((r) => !(r.kind !== "nth" && r.remaining <= 0) && !(r.kind === "nth" && r.seen >= r.nth));
    return { delayMs, error };
  }
}

// The cloud port of a claimed event: every mutating call it completes is
// recorded in the claim's marker before the handler goes on, and a call an
// earlier generation already completed (same API, same parameters) is answered
// from that record instead of being sent again. So a run resumed after a crash
// (redelivery or sweeper) repeats no destructive call the dead owner finished;
// at most the one call in flight when it died is sent again, and ALB and ESS
// calls carry the same ClientToken then (core/gateway.ts).
import { canonicalJson, sha256 } from "../core/event";
import type { Claim, MarkerLedger } from "../core/idempotency";
import type { ApiCall, CloudApi, Json } from "../core/ports";

/** One mutating call: `<product>:<Action>:<sha256 of its canonical parameters>`. */
export function progressKey(call: ApiCall): string {
  return `${call.api.product}:${call.api.action}:${sha256(canonicalJson(call.params)).slice(0, 32)}`;
}

/** Answers kept in the marker are small RPC bodies (RequestId, JobId); a larger one is kept as `{}`. */
const MAX_ANSWER_CHARS = 2048;

export class ResumableCloud implements CloudApi {
  /** Calls answered from an earlier generation's record instead of being sent. */
  readonly skipped: string[] = [];
  /** Progress writes that failed (the call itself succeeded): a crash after one may repeat that call. */
  readonly unrecorded: string[] = [];

  constructor(
    private readonly inner: CloudApi,
    private readonly ledger: MarkerLedger,
    private readonly claim: Extract<Claim, { owned: true }>,
  ) {}

  async call(call: ApiCall): Promise<Json> {
    if (!call.api.mutating) return this.inner.call(call);
    const key = progressKey(call);
    const done = this.claim.prior[key];
    if (done !== undefined) {
      this.skipped.push(`${call.api.product}:${call.api.action}`);
      return done;
    }
    const answer = await this.inner.call(call);
    const kept = JSON.stringify(answer ?? {}).length <= MAX_ANSWER_CHARS ? (answer ?? {}) : {};
    try {
      await this.ledger.recordProgress(this.claim, key, kept);
    } catch {
      this.unrecorded.push(`${call.api.product}:${call.api.action}`);
    }
    return answer;
  }

  /** What the outcome says about resuming, if anything. */
  warnings(): string[] {
    const out: string[] = [];
    if (this.skipped.length) out.push(`resumed: ${this.skipped.length} call(s) an earlier attempt completed were not sent again (${[...new Set(this.skipped)].join(", ")})`);
    if (this.unrecorded.length) out.push(`progress of ${this.unrecorded.length} call(s) could not be recorded in the marker (${[...new Set(this.unrecorded)].join(", ")}): a crash now may repeat them`);
    return out;
  }
}

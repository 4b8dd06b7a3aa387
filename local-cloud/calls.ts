// A log of every request the fake answered, for assertions.
import type { Params } from "./params";

export type Product = "ECS" | "SLB" | "ALB" | "ESS" | "CMS" | "OSS" | "MNS" | "unknown";

export interface CallRecord {
  seq: number;
  product: Product;
  action: string;
  params: Params;
  /** Virtual time when the request arrived. */
  at: number;
  outcome: { status: number; code?: string };
  /** Set when the answer came from a ClientToken replay. */
  replayed?: boolean;
}

export class CallLog {
  private readonly all: CallRecord[] = [];
  private readonly byAction = new Map<string, CallRecord[]>();

  record(r: Omit<CallRecord, "seq">): CallRecord {
    const rec = { seq: this.all.length + 1, ...r };
    this.all.push(rec);
    let list = this.byAction.get(r.action);
    if (!list) this.byAction.set(r.action, (list = []));
    list.push(rec);
    return rec;
  }

  /** Every call, or the calls of one action. */
  calls(action?: string): CallRecord[] {
    return action === undefined ? [...this.all] : [...(this.byAction.get(action) ?? [])];
  }

  /** Calls of an action that succeeded (2xx). */
  succeeded(action: string): CallRecord[] {
    return this.calls(action).filter((c) => c.outcome.status < 300);
  }

  count(action?: string): number {
    return action === undefined ? this.all.length : (this.byAction.get(action)?.length ?? 0);
  }

  clear(): void {
    this.all.length = 0;
    this.byAction.clear();
  }
}

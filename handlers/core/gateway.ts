// The one place every cloud call goes through. Reads pass straight to the port;
// mutations are recorded into the outcome and, under DRY_RUN, recorded without
// being sent. ClientTokens are derived here so a redelivery reuses them.
import { createHash } from "node:crypto";
import type { ApiAction } from "./apis";
import type { CloudApi, Json } from "./ports";

export interface RecordedAction {
  product: string;
  action: string;
  params: Record<string, unknown>;
}

/** Answers meaning "the thing is not there (any more)": removing it again is a no-op. */
const ALREADY_GONE = /NotFound|NotExist|NonExist|NotInGroup|NotInServerGroup|IncorrectInstanceStatus\.Released/i;

export function isAlreadyGone(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === "string" && ALREADY_GONE.test(code);
}

/** Deterministic: same event, action and target → same token (≤ 64 ASCII). */
export function clientToken(eventKey: string, action: string, target: string): string {
  return createHash("sha256").update(`${eventKey}\n${action}\n${target}`).digest("hex").slice(0, 40);
}

/** The calls about one instance: through which gateway, in which region. */
export interface InstanceCalls {
  cloud: CloudGateway;
  instanceId: string;
  regionId: string;
}

export interface CloudGatewayOptions {
  dryRun: boolean;
  eventKey: string;
  regionId: string;
}

export class CloudGateway {
  readonly actions: RecordedAction[] = [];

  constructor(private readonly api: CloudApi, private readonly options: CloudGatewayOptions) {}

  get dryRun(): boolean {
    return this.options.dryRun;
  }

  read(api: ApiAction, params: Record<string, unknown>): Promise<Json> {
    if (api.mutating) throw new Error(`${api.product}:${api.action} changes state: call mutate(), not read()`);
    return this.api.call({ api, regionId: this.options.regionId, params });
  }

  /**
   * Records and (unless dry-run) performs a mutation. `target` names what it
   * acts on (e.g. `lb-1/i-2`), for the ClientToken. With `tolerateGone`, an
   * "already gone" answer counts as done and resolves to undefined.
   */
  async mutate(api: ApiAction, params: Record<string, unknown>, target: string, opts: { tolerateGone?: boolean } = {}): Promise<Json | undefined> {
    if (!api.mutating) throw new Error(`${api.product}:${api.action} is a read: call read()`);
    const sent = api.clientToken ? { ...params, ClientToken: clientToken(this.options.eventKey, api.action, target) } : { ...params };
    this.actions.push({ product: api.product, action: api.action, params: sent });
    if (this.options.dryRun) return undefined;
    try {
      return await this.api.call({ api, regionId: this.options.regionId, params: sent });
    } catch (err) {
      if (opts.tolerateGone && isAlreadyGone(err)) return undefined;
      throw err;
    }
  }

  /**
   * A mutation sent through another port (an MNS topic, say): recorded the
   * same way, and not sent under DRY_RUN.
   */
  async mutateVia<T>(api: ApiAction, params: Record<string, unknown>, send: () => Promise<T>): Promise<T | undefined> {
    if (!api.mutating) throw new Error(`${api.product}:${api.action} is a read: call read()`);
    this.actions.push({ product: api.product, action: api.action, params: { ...params } });
    if (this.options.dryRun) return undefined;
    return send();
  }
}

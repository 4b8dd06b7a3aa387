// What every RPC product module provides: action handlers over a context.
import type { Product } from "../calls";
import type { Lifecycle } from "../lifecycle";
import type { Params } from "../params";
import type { CloudState } from "../state";

export interface RpcContext {
  p: Params;
  state: CloudState;
  life: Lifecycle;
  now: number;
  requestId: string;
}

/** Returns the response body without RequestId (the server adds it). */
export type RpcHandler = (ctx: RpcContext) => Record<string, unknown>;

export interface RpcProduct {
  product: Product;
  version: string;
  /** The real service host, echoed as HostId in errors. */
  host: string;
  handlers: Readonly<Record<string, RpcHandler>>;
}

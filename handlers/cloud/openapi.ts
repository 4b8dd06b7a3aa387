// The CloudApi adapter for the RPC products (ECS, SLB, ALB, ESS, CMS) over
// @alicloud/openapi-client's generic callApi. The SDK is loaded on first use;
// retries are ours (exponential backoff, full jitter, deadline-bound), the
// SDK's own are off.
import type { ApiCall, CloudApi, Json } from "../core/ports";
import type { Product } from "../core/apis";
import type { CredentialSource } from "./credentials";
import { endpointFor } from "./endpoints";
import type { Deadline } from "../core/ports";
import { withRetry, type RetryPolicy } from "./retry";

/**
 * Server lists go in the form body, the rest in the query, as the SDK sends
 * them (alb-20200616 client.ts: UpdateServerGroupServersAttribute,
 * RemoveServersFromServerGroup and AddServersToServerGroup put `Servers` in the
 * body). 200 servers in the URL would pass the 16 KB Node's HTTP parser takes
 * for a request line and headers (--max-http-header-size), and a gateway's own.
 */
export function splitForm(flat: Record<string, string>): { query: Record<string, string>; body?: Record<string, string> } {
  const query: Record<string, string> = {};
  const body: Record<string, string> = {};
  for (const [k, v] of Object.entries(flat)) (k.startsWith("Servers.") ? body : query)[k] = v;
  return Object.keys(body).length ? { query, body } : { query };
}

/** RPC flattening: arrays → `Key.1`, objects → `Key.Sub`, scalars → strings. */
export function flattenRpcParams(params: Record<string, unknown>, prefix = "", out: Record<string, string> = {}): Record<string, string> {
  for (const [k, v] of Object.entries(params)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) {
      v.forEach((item, i) => {
        if (item !== null && typeof item === "object") flattenRpcParams(item as Record<string, unknown>, `${key}.${i + 1}`, out);
        else if (item !== undefined && item !== null) out[`${key}.${i + 1}`] = String(item);
      });
    } else if (typeof v === "object") flattenRpcParams(v as Record<string, unknown>, key, out);
    else out[key] = String(v);
  }
  return out;
}

/** RPC API versions (OSS and MNS are REST and signed by their own clients). */
export const RPC_VERSIONS: Partial<Record<Product, string>> = {
  ecs: "2014-05-26",
  slb: "2014-05-15",
  alb: "2020-06-16",
  ess: "2014-08-28",
  cms: "2019-01-01",
};

export interface OpenApiCloudOptions {
  env: Record<string, string | undefined>;
  credentials: CredentialSource;
  retry: RetryPolicy;
  deadline: Deadline;
  callTimeoutMs: number;
}

interface RpcClient {
  callApi(params: unknown, request: unknown, runtime: unknown): Promise<{ body: Json; headers?: Record<string, string> }>;
}

export class OpenApiCloud implements CloudApi {
  private readonly clients = new Map<string, RpcClient>();

  constructor(private readonly o: OpenApiCloudOptions) {}

  async call({ api, regionId, params }: ApiCall): Promise<Json> {
    const version = RPC_VERSIONS[api.product];
    if (!version) throw new Error(`${api.product}:${api.action} is not an RPC API; use its own client`);
    const { client, protocol } = this.clientFor(api.product, regionId);
    const { query, body } = splitForm(flattenRpcParams(params));
    const response = await withRetry(
      `${api.product}:${api.action}`,
      (timeoutMs) =>
        client.callApi(
          { action: api.action, version, protocol, method: "POST", authType: "AK", style: "RPC", pathname: "/", reqBodyType: "formData", bodyType: "json" },
          body ? { query, body } : { query },
          // No `keepAlive` here: @alicloud/tea-typescript's doAction builds a new Agent per request when the
          // runtime names one; without it httpx uses its module-level keep-alive agents (httpx lib/index.js:
          // `new http.Agent({ keepAlive: true })`), so connections are reused across calls and warm invocations.
          { readTimeout: timeoutMs, connectTimeout: timeoutMs, autoretry: false },
        ),
      this.o.retry,
      this.o.deadline,
      this.o.callTimeoutMs,
    );
    return response.body ?? {};
  }

  private clientFor(product: Product, regionId: string): { client: RpcClient; protocol: string } {
    const endpoint = endpointFor(product, regionId, this.o.env);
    const protocol = endpoint.protocol.toUpperCase();
    const key = `${product}|${endpoint.protocol}://${endpoint.host}`;
    let client = this.clients.get(key);
    if (!client) {
      // Lazy: the Tea runtime is most of a bundle's weight and start-up time.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const OpenApi = require("@alicloud/openapi-client");
      const credentials = this.o.credentials;
      const credential = {
        async getCredential() {
          const c = await credentials.get();
          return { ...c, type: c.securityToken ? "sts" : "access_key" };
        },
      };
      client = new OpenApi.default(new OpenApi.Config({ credential, endpoint: endpoint.host, protocol, regionId })) as RpcClient;
      this.clients.set(key, client);
    }
    return { client, protocol };
  }
}

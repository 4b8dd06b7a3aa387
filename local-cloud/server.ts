// The HTTP server: one port for every product. RPC products are told apart by
// `x-acs-version` / `Version`; OSS by a bucket Host (`<bucket>.oss-<region>.aliyuncs.com`)
// or an OSS Authorization (`OSS4-HMAC-SHA256 ...`, V1 `OSS ...`) on `/<bucket>/<key>`;
// MNS by `Authorization: MNS ...` on `/queues/<q>/messages`.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { CallLog, type CallRecord, type Product } from "./calls";
import { FakeClock, isFakeClock, Scheduler, type Clock } from "./clock";
import type { CmsSystemEvent } from "./cms-events";
import { parseForm, parseRawQuery } from "./encoding";
import { ApiError } from "./errors";
import { Faults } from "./faults";
import { DEFAULT_TIMING, Lifecycle, type LifecycleTiming } from "./lifecycle";
import { RateLimits, type RateQuota } from "./rate-limits";
import type { Params } from "./params";
import { alb } from "./products/alb";
import { cms } from "./products/cms";
import { ecs } from "./products/ecs";
import { ess } from "./products/ess";
import { MnsService, mnsAction, mnsTopicAction, MNS_NS } from "./products/mns";
import { authenticateOss, handleOss, isBucketHost, ossAction, ossAddress } from "./products/oss";
import { xmlError, type RestRequest, type RestResponse } from "./products/rest";
import type { RpcProduct } from "./products/rpc";
import { slb } from "./products/slb";
import { verifyAcs3, ACS3 } from "./signing/acs3";
import { keyringFor, type Credential, type Keyring, type SignedRequest } from "./signing/keys";
import { verifyMns } from "./signing/mns";
import { OSS4 } from "./signing/oss-v4";
import { verifyRpcV1 } from "./signing/rpcv1";
import { CloudState, type EventCycleStatus, type SystemEvent, type SystemEventSeed } from "./state";

export const RPC_PRODUCTS: readonly RpcProduct[] = [ecs, slb, alb, ess, cms];
const BY_VERSION = new Map(RPC_PRODUCTS.map((p) => [p.version, p]));

/** Parameters every RPC request carries that are not the API's own. */
const COMMON_PARAMS = new Set([
  "Action", "Version", "Format", "AccessKeyId", "Signature", "SignatureMethod", "SignatureVersion",
  "SignatureNonce", "SignatureType", "Timestamp", "SecurityToken",
]);

export interface FakeCloudOptions {
  /** The AccessKey pair the fake accepts (defaults are fine for tests). */
  accessKeyId?: string;
  accessKeySecret?: string;
  /** More accepted pairs (each optionally known to some products only). */
  credentials?: Credential[];
  /** Default: a FakeClock at 2026-11-20T00:00:00Z (tests move it). */
  clock?: Clock;
  accountId?: string;
  defaultRegion?: string;
  timing?: Partial<LifecycleTiming>;
  /** Default 0: a random free port on 127.0.0.1. */
  port?: number;
  ossAutoCreateBuckets?: boolean;
  mnsAutoCreateQueues?: boolean;
  /** Default false: publishing to a topic that was not added (state.addTopic) answers 404 TopicNotExist. */
  mnsAutoCreateTopics?: boolean;
  /** Longest real wait of an MNS long poll (default 1000 ms). */
  mnsMaxRealWaitMs?: number;
  /** With a non-fake clock, run due lifecycle work this often (default 1000 ms; 0 = never). */
  autoTickMs?: number;
  /** Reject a reused signature nonce (SignatureNonceUsed), as the real APIs do. Default true. */
  rejectReusedNonce?: boolean;
  /** Per-account API flow control (rate-limits.ts); default none. */
  rateLimits?: readonly RateQuota[];
}

export const DEFAULT_ACCESS_KEY_ID = "fake-access-key-id";
export const DEFAULT_ACCESS_KEY_SECRET = "fake-access-key-secret";

export type SystemEventListener = (event: CmsSystemEvent) => void;

export class FakeCloud {
  readonly state: CloudState;
  readonly clock: Clock;
  readonly faults = new Faults();
  readonly callLog = new CallLog();
  /** API flow control on the fake's clock; `rateLimits.set(ASSUMED_WRITE_QUOTAS)` turns it on. */
  readonly rateLimits: RateLimits;
  readonly mns: MnsService;
  /** Every CMS system event emitted so far, in order. */
  readonly systemEvents: CmsSystemEvent[] = [];
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  private readonly keys = new Map<string, Credential>();
  private readonly scheduler: Scheduler;
  private readonly life: Lifecycle;
  private readonly listeners = new Set<SystemEventListener>();
  private readonly idempotency = new Map<string, { fingerprint: string; status: number; body: Record<string, unknown> }>();
  private readonly nonces = new Set<string>();
  private readonly server: Server;
  private readonly unsubscribeClock?: () => void;
  private autoTick?: NodeJS.Timeout;
  private port = 0;

  constructor(private readonly opts: FakeCloudOptions = {}) {
    this.clock = opts.clock ?? new FakeClock();
    this.accessKeyId = opts.accessKeyId ?? DEFAULT_ACCESS_KEY_ID;
    this.accessKeySecret = opts.accessKeySecret ?? DEFAULT_ACCESS_KEY_SECRET;
    for (const c of [{ accessKeyId: this.accessKeyId, accessKeySecret: this.accessKeySecret }, ...(opts.credentials ?? [])]) this.keys.set(c.accessKeyId, c);
    this.state = new CloudState(this.clock, opts.accountId, opts.defaultRegion);
    this.scheduler = new Scheduler(this.clock);
    this.rateLimits = new RateLimits(this.clock).set(opts.rateLimits ?? []);
    this.life = new Lifecycle(this.state, this.scheduler, this.clock, { ...DEFAULT_TIMING, ...opts.timing }, (e) => this.emit(e));
    this.mns = new MnsService(this.state, this.clock, {
      autoCreateQueues: opts.mnsAutoCreateQueues ?? true,
      autoCreateTopics: opts.mnsAutoCreateTopics ?? false,
      maxRealWaitMs: opts.mnsMaxRealWaitMs ?? 1000,
    });
    const clock = this.clock;
    if (isFakeClock(clock)) {
      this.unsubscribeClock = clock.onAdvance((target) => {
        this.scheduler.runUntil(target, (at) => clock.stepTo(at));
        clock.stepTo(target);
        this.mns.wake();
      });
    }
    else if ((opts.autoTickMs ?? 1000) > 0) {
      this.autoTick = setInterval(() => this.tick(), opts.autoTickMs ?? 1000);
      this.autoTick.unref();
    }
    this.server = createServer((req, res) => {
      this.serve(req, res).catch((e: unknown) => {
        console.error("local-cloud: unexpected failure", e);
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    // Above 1 s: Node's agent takes 1 s off the server's keep-alive hint and, at 0, never reuses the
    // socket (lib/_http_agent.js keepSocketAlive), so 1000 made every request a new connection.
    this.server.keepAliveTimeout = 5000;
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(this.opts.port ?? 0, "127.0.0.1", () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  get endpoint(): string {
    return `127.0.0.1:${this.port}`;
  }

  get url(): string {
    return `http://${this.endpoint}`;
  }

  async close(): Promise<void> {
    this.unsubscribeClock?.();
    if (this.autoTick) clearInterval(this.autoTick);
    this.mns.wake();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ----- time -----

  /** Runs lifecycle work that is due at the current (virtual) time. */
  tick(): number {
    const ran = this.scheduler.runDue();
    this.mns.wake();
    return ran;
  }

  /** When the fake's next lifecycle work (a release, an event's next status) is due, if any: a driver of virtual time jumps there. */
  nextScheduledAt(): number | undefined {
    return this.scheduler.nextAt();
  }

  /** Runs `run` on the fake's clock `ms` from now (with a FakeClock: when a driver advances past it). */
  after(ms: number, run: () => void): void {
    this.scheduler.after(ms, run);
  }

  /** Moves a FakeClock forward (and ticks). */
  advance(ms: number): void {
    if (!isFakeClock(this.clock)) throw new Error("advance() needs a FakeClock; this fake runs on another clock");
    this.clock.advance(ms);
  }

  // ----- events -----

  /** Subscribe to every CMS system event the fake emits; returns an unsubscribe function. */
  onSystemEvent(listener: SystemEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: CmsSystemEvent): void {
    this.systemEvents.push(e);
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err) {
        console.error("local-cloud: system event listener failed", err);
      }
    }
  }

  /** Seeds a system event (real by default, `Simulated: true` for a drill) and runs its lifecycle. */
  addSystemEvent(seed: SystemEventSeed): SystemEvent {
    return this.life.createEvent(seed);
  }

  /** Moves a system event to a status as the platform would (times stamped, its CMS notification emitted), e.g. `Failed`. */
  setSystemEventStatus(ev: SystemEvent, status: EventCycleStatus): void {
    this.life.transition(ev, status);
  }

  /** Releases an instance: removed from ECS only (SLB/ESS keep it), `Instance:StateChange` Deleted. */
  releaseInstance(instanceId: string): boolean {
    return this.life.release(instanceId);
  }

  /** Emits a synthetic status notification, e.g. `BurstablePerformanceRestricted`. */
  emitStatusNotification(instanceId: string, event: string, content: Record<string, unknown> = {}, opts: { level?: string; regionId?: string } = {}): CmsSystemEvent {
    return this.life.notify(instanceId, event, content, opts);
  }

  /**
   * Spot interruption, which the real API cannot simulate: emits
   * `Instance:PreemptibleInstanceInterruption` (`action: "delete"`), then
   * releases the instance `releaseAfterMs` later (default 5 min; null = never).
   */
  spotInterruption(instanceId: string, opts: { releaseAfterMs?: number | null; level?: string } = {}): CmsSystemEvent {
    const msg = this.life.notify(instanceId, "PreemptibleInstanceInterruption", { action: "delete" }, { level: opts.level ?? "WARN" });
    const after = opts.releaseAfterMs === undefined ? 5 * 60_000 : opts.releaseAfterMs;
    if (after !== null) this.scheduler.after(after, () => this.life.release(instanceId));
    return msg;
  }

  /** Delivers emitted system events to an MNS queue, as a CMS MNS target does. */
  routeSystemEventsToQueue(queueName: string, opts: { encoding?: "json" | "base64"; filter?: (e: CmsSystemEvent) => boolean } = {}): () => void {
    this.state.addQueue(queueName);
    return this.onSystemEvent((e) => {
      if (opts.filter && !opts.filter(e)) return;
      const json = JSON.stringify(e);
      this.mns.send(queueName, opts.encoding === "base64" ? Buffer.from(json).toString("base64") : json);
    });
  }

  // ----- calls -----

  calls(action?: string): CallRecord[] {
    return this.callLog.calls(action);
  }

  /** The AccessKey pairs one product accepts (a pair may be limited to some products). */
  private keysFor(product: Product): Keyring {
    return keyringFor(this.keys, product);
  }

  // ----- HTTP -----

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const signed: SignedRequest = {
      method: (req.method ?? "GET").toUpperCase(),
      rawPath: q < 0 ? url : url.slice(0, q),
      rawQuery: q < 0 ? "" : url.slice(q + 1),
      headers: req.headers,
      body,
    };
    this.tick();
    const auth = String(req.headers.authorization ?? "");
    if (isBucketHost(req.headers.host) || auth.startsWith("OSS ") || auth.startsWith(OSS4)) return this.serveRest(signed, res, "OSS");
    if (auth.startsWith("MNS ") || /^\/(queues|topics)\/[^/]+\/messages$/.test(signed.rawPath)) return this.serveRest(signed, res, "MNS");
    return this.serveRpc(signed, res);
  }

  private async serveRpc(req: SignedRequest, res: ServerResponse): Promise<void> {
    const requestId = randomUUID().toUpperCase();
    const at = this.clock.now();
    const all: Record<string, string> = {};
    for (const [k, v] of parseRawQuery(req.rawQuery)) all[k] = v;
    const contentType = String(req.headers["content-type"] ?? "");
    if (req.body.length && contentType.startsWith("application/x-www-form-urlencoded")) for (const [k, v] of parseForm(req.body.toString("utf8"))) all[k] = v;
    else if (req.body.length && contentType.startsWith("application/json")) {
      try {
        flatten(all, JSON.parse(req.body.toString("utf8")), "");
      } catch {
        /* not JSON: the signature check below reports the mismatch */
      }
    }
    const version = String(req.headers["x-acs-version"] ?? all.Version ?? "");
    const action = String(req.headers["x-acs-action"] ?? all.Action ?? "");
    const product = BY_VERSION.get(version);
    const params: Record<string, string> = {};
    for (const k in all) if (!COMMON_PARAMS.has(k)) params[k] = all[k];

    const answer = (status: number, payload: Record<string, unknown>, replayed = false): void => {
      const text = JSON.stringify({ RequestId: requestId, ...payload });
      res.writeHead(status, { "content-type": "application/json;charset=utf-8", "x-acs-request-id": requestId, "content-length": Buffer.byteLength(text) });
      res.end(text);
      this.callLog.record({ product: product?.product ?? "unknown", action, params, at, outcome: { status, code: payload.Code as string | undefined }, replayed });
    };
    const fail = (e: ApiError): void =>
      answer(e.status, {
        HostId: product?.host ?? "aliyuncs.com",
        Code: e.code,
        Message: e.message,
        Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(e.code)}&product=${product?.product ?? ""}`,
      });

    try {
      const auth = String(req.headers.authorization ?? "");
      let nonce: string | undefined;
      const keys = this.keysFor(product?.product ?? "unknown");
      if (auth.startsWith(ACS3)) {
        verifyAcs3(req, keys);
        nonce = String(req.headers["x-acs-signature-nonce"] ?? "") || undefined;
      } else if (all.Signature !== undefined) {
        verifyRpcV1(req.method, all, keys);
        nonce = all.SignatureNonce;
      } else {
        throw new ApiError(400, "IncompleteSignature", "The request is not signed: no ACS3 Authorization header and no Signature parameter.");
      }
      if (nonce && (this.opts.rejectReusedNonce ?? true)) {
        if (this.nonces.has(nonce)) throw new ApiError(400, "SignatureNonceUsed", "Specified signature nonce was used already.");
        if (this.nonces.size > 200_000) this.nonces.clear();
        this.nonces.add(nonce);
      }
      if (!product) throw new ApiError(400, "InvalidVersion", `Specified parameter Version "${version}" is not valid.`);
      const handler = product.handlers[action];
      if (!handler) throw new ApiError(404, "InvalidAction.NotFound", `Specified api "${action}" is not found, please check your url and method.`);

      const fault = this.faults.take(action);
      if (fault.delayMs > 0) await sleep(fault.delayMs);
      if (fault.error) throw fault.error;
      const throttled = this.rateLimits.take(action);
      if (throttled) throw throttled;

      const token = params.ClientToken;
      const key = token ? `${product.product}:${action}:${token}` : undefined;
      const fingerprint = key ? JSON.stringify(Object.keys(params).sort().map((k) => [k, params[k]])) : "";
      if (key) {
        const seen = this.idempotency.get(key);
        if (seen && seen.fingerprint !== fingerprint) throw new ApiError(400, "IdempotentParameterMismatch", "The request uses the same client token as a previous, but non-identical request.");
        if (seen) return answer(seen.status, seen.body, true);
      }
      const result = handler({ p: params as Params, state: this.state, life: this.life, now: this.clock.now(), requestId });
      if (key) this.idempotency.set(key, { fingerprint, status: 200, body: result });
      answer(200, result);
    } catch (e) {
      if (e instanceof ApiError) return fail(e);
      console.error("local-cloud: handler failure", e);
      fail(new ApiError(500, "InternalError", `The request processing has failed due to some unknown error: ${(e as Error).message}`));
    }
  }

  private async serveRest(req: SignedRequest, res: ServerResponse, product: "OSS" | "MNS"): Promise<void> {
    const requestId = randomUUID().replace(/-/g, "").toUpperCase().slice(0, 24);
    const at = this.clock.now();
    const query = new Map(parseRawQuery(req.rawQuery));
    const rest: RestRequest = { ...req, query };
    let action = "unknown";
    const params: Record<string, string> = Object.fromEntries(query);
    const hostId = product === "OSS" ? "oss-cn-hangzhou.aliyuncs.com" : `${this.state.accountId}.mns.cn-hangzhou.aliyuncs.com`;
    const idHeader = product === "OSS" ? "x-oss-request-id" : "x-mns-request-id";
    const send = (r: RestResponse, code?: string): void => {
      const headers: Record<string, string | number> = { [idHeader]: requestId, ...r.headers };
      if (product === "MNS") headers["x-mns-version"] = "2015-06-06";
      if (r.body !== undefined && req.method !== "HEAD") headers["content-length"] = Buffer.byteLength(r.body);
      res.writeHead(r.status, headers);
      res.end(req.method === "HEAD" ? undefined : r.body);
      this.callLog.record({ product: product as Product, action, params, at, outcome: { status: r.status, code } });
    };
    try {
      if (product === "OSS") {
        const address = ossAddress(typeof req.headers.host === "string" ? req.headers.host : undefined, req.rawPath);
        params.bucket = address.bucket;
        params.key = address.key;
        params.style = address.style;
        const a = ossAction(req.method);
        action = a;
        authenticateOss(req, this.keysFor("OSS"), address, this.state.getBucket(address.bucket), this.state.defaultRegion, this.clock.now());
        const fault = this.faults.take(action);
        if (fault.delayMs > 0) await sleep(fault.delayMs);
        if (fault.error) throw fault.error;
        send(handleOss(rest, a, address, this.state, this.clock.now(), { autoCreateBuckets: this.opts.ossAutoCreateBuckets ?? true }));
      } else {
        const m = /^\/(queues|topics)\/([^/]+)\/messages$/.exec(req.rawPath);
        if (!m) throw new ApiError(404, "InvalidPath", "Only /queues/<name>/messages and /topics/<name>/messages are modelled.");
        const name = decodeURIComponent(m[2]);
        const isTopic = m[1] === "topics";
        if (isTopic) params.topic = name;
        else params.queue = name;
        const a = isTopic ? mnsTopicAction(rest) : mnsAction(rest);
        action = a;
        verifyMns(req, this.keysFor("MNS"));
        const fault = this.faults.take(action);
        if (fault.delayMs > 0) await sleep(fault.delayMs);
        if (fault.error) throw fault.error;
        send(isTopic ? this.mns.handleTopic(rest, name) : await this.mns.handle(rest, a as ReturnType<typeof mnsAction>, name));
      }
    } catch (e) {
      const err = e instanceof ApiError ? e : new ApiError(500, "InternalError", (e as Error).message);
      if (!(e instanceof ApiError)) console.error("local-cloud: handler failure", e);
      const extra: Record<string, string> = { ...(product === "OSS" && params.key ? { Key: params.key } : {}), ...err.details };
      const bodyXml = req.method === "HEAD" ? undefined : xmlError(err.code, err.message, requestId, hostId, extra, product === "MNS" ? MNS_NS : undefined);
      send({ status: err.status, headers: { "content-type": product === "OSS" ? "application/xml" : "text/xml;charset=utf-8", ...(err.details.EC ? { "x-oss-ec": err.details.EC } : {}) }, body: bodyXml }, err.code);
    }
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Flattens a JSON body the way the SDK flattens queries: `a.b`, `list.1`. */
function flatten(out: Record<string, string>, value: unknown, prefix: string): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) value.forEach((v, i) => flatten(out, v, prefix ? `${prefix}.${i + 1}` : String(i + 1)));
  else if (typeof value === "object") for (const [k, v] of Object.entries(value)) flatten(out, v, prefix ? `${prefix}.${k}` : k);
  else out[prefix] = String(value);
}

// Application Load Balancer (ALB 2020-06-16) server groups. Changes are
// asynchronous jobs: "UpdateServerGroupServersAttribute is an asynchronous
// operation ... the system returns a request ID and runs the task in the
// background"; the group shows `Configuring` while it runs and `Available`
// after (the same text for RemoveServersFromServerGroup; SDK client.ts doc
// comments and the API pages). A second change while a job runs is refused
// with a busy code (core/apis.ts ALB_BUSY), which the gateway retries. So every
// change here is followed by a wait until the group is Available and the
// servers show the change, before the next change and before anyone judges
// weights — what terraform-provider-alicloud does after each change
// (resource_alicloud_alb_server_group.go: BuildStateConf(..., "Available", ...)).
import { ALB, type ApiAction } from "../core/apis";
import type { Backoff, CloudGateway } from "../core/gateway";
import type { Json } from "../core/ports";
import { listOf, num, str } from "../cloud/rpc-response";
import { chunks, type AlbTarget, type Backend } from "./targets";

export const ALB_LIMITS = {
  /** UpdateServerGroupServersAttribute: "You can specify up to 40 servers in each call" (SDK model `servers`/`weight`). */
  updatePerCall: 40,
  /** RemoveServersFromServerGroup: "You can specify up to 200 backend servers" (API reference, Servers). */
  removePerCall: 200,
  /** ListServerGroupServers `ServerIds`: "单次调用最多支持展示 40 个服务器" (CN API reference, document_detail/2254863). */
  serverIdsPerList: 40,
  /** ListServerGroups / ListServerGroupServers / ListListeners `MaxResults`: 1–100 (SDK models). */
  pageSize: 100,
} as const;

/** Pages followed at most (NextToken paging) before giving up on a listing. */
const MAX_PAGES = 100;

/** How often a running job is looked at: from 0.5 s up to every 5 s (terraform-provider-alicloud polls every 5 s). */
export const JOB_POLL: Backoff = { firstMs: 500, maxMs: 5_000 };
/**
 * Looks at an Available group whose servers still show the old state before
 * the job counts as not applied (a Failed job, or one that never started):
 * right after the call the group may not yet show Configuring.
 */
const SETTLED_MISSES = 3;

/** The reads a job wait makes (for the RAM policy). */
export const ALB_JOB_APIS = [ALB.listServerGroups, ALB.listServerGroupServers] as const;

/** Follows NextToken through every page of an ALB listing. */
export async function eachPage(cloud: CloudGateway, api: ApiAction, params: Record<string, unknown>, page: (body: Json) => void): Promise<void> {
  let token: string | undefined;
  for (let n = 0; n < MAX_PAGES; n++) {
    const body = await cloud.read(api, { ...params, ...(token ? { NextToken: token } : {}) });
    page(body);
    token = str(body.NextToken);
    if (!token) return;
  }
  throw new Error(`${api.action}: more than ${MAX_PAGES} pages`);
}

export interface AlbGroup {
  serverGroupId: string;
  /** ServerGroupStatus: Creating, Available, Configuring (SDK model; Deleting per the DeleteServerGroup doc). */
  status?: string;
  /** RelatedLoadBalancerIds: the ALB instances whose listeners use the group. */
  loadBalancerIds: string[];
}

/** The group as ListServerGroups shows it; undefined when there is no such group. */
export async function albGroup(cloud: CloudGateway, serverGroupId: string): Promise<AlbGroup | undefined> {
  const body = await cloud.read(ALB.listServerGroups, { ServerGroupIds: [serverGroupId] });
  const g = listOf(body, "ServerGroups").find((x) => str(x.ServerGroupId) === serverGroupId);
  if (!g) return undefined;
  const related = Array.isArray(g.RelatedLoadBalancerIds) ? (g.RelatedLoadBalancerIds as unknown[]).map(str).filter((id): id is string => !!id) : [];
  return { serverGroupId, status: str(g.ServerGroupStatus), loadBalancerIds: related };
}

export type AlbServer = Backend & { serverGroupId?: string };

function toServer(s: Json): AlbServer {
  return { serverId: str(s.ServerId) ?? "", port: num(s.Port), weight: num(s.Weight), type: str(s.ServerType), status: str(s.Status), serverGroupId: str(s.ServerGroupId) };
}

/**
 * Servers of one group, or the servers with the given ids in any group (no
 * ServerGroupId: the parameter is optional in the SDK model, and each row names
 * its group), every page; ServerIds 40 per call.
 */
export async function listAlbServers(cloud: CloudGateway, q: { serverGroupId?: string; serverIds?: readonly string[] }): Promise<AlbServer[]> {
  const servers: AlbServer[] = [];
  const base = { ...(q.serverGroupId ? { ServerGroupId: q.serverGroupId } : {}), MaxResults: ALB_LIMITS.pageSize };
  const idSets = q.serverIds ? chunks([...new Set(q.serverIds)], ALB_LIMITS.serverIdsPerList) : [undefined];
  for (const ids of idSets) {
    await eachPage(cloud, ALB.listServerGroupServers, { ...base, ...(ids ? { ServerIds: ids } : {}) }, (body) => servers.push(...listOf(body, "Servers").map(toServer)));
  }
  return servers;
}

const serversParam = (entries: readonly Backend[], withWeight: boolean) =>
  entries.map((b) => ({ ServerId: b.serverId, ServerType: b.type ?? "Ecs", ...(b.port !== undefined ? { Port: b.port } : {}), ...(withWeight ? { Weight: b.weight ?? 0 } : {}) }));

type Verdict = "applied" | "pending" | "missed";

/** A listed server is the wanted entry (same server; same port unless the entry names none). */
const isEntry = (want: Backend, s: AlbServer) => s.serverId === want.serverId && (want.port === undefined || s.port === want.port);

/** Each wanted weight shows on an Available server (a server no longer listed has left: nothing to weigh). */
function weightsShown(wanted: readonly Backend[], now: readonly AlbServer[]): Verdict {
  let verdict: Verdict = "applied";
  for (const w of wanted) {
    for (const s of now.filter((x) => isEntry(w, x))) {
      if (s.status !== "Available") return "pending";
      if (s.weight !== (w.weight ?? 0)) verdict = "missed";
    }
  }
  return verdict;
}

/** "If the backend server cannot be found, the backend server is no longer in the server group" (RemoveServersFromServerGroup doc). */
function removalShown(leaving: readonly Backend[], now: readonly AlbServer[]): Verdict {
  const still = now.filter((s) => leaving.some((l) => isEntry(l, s)));
  if (still.some((s) => s.status === "Removing" || s.status === "Configuring")) return "pending";
  return still.length ? "missed" : "applied";
}

function jobError(t: AlbTarget, what: string, why: string): Error {
  return Object.assign(new Error(`ALB server group ${t.serverGroupId}: ${what} ${why}`), { code: "AlbJobNotApplied" });
}

/**
 * Waits until the group is Available and its servers show the change.
 * Resolves when the group is gone too (nothing is left to change).
 */
async function awaitJob(cloud: CloudGateway, t: AlbTarget, part: readonly Backend[], shown: (now: AlbServer[]) => Verdict, what: string): Promise<void> {
  const ids = part.map((b) => b.serverId);
  const polls = cloud.waiter(JOB_POLL);
  let misses = 0;
  for (;;) {
    const group = await albGroup(cloud, t.serverGroupId);
    if (!group) return;
    if (group.status === "Available") {
      const verdict = shown(await listAlbServers(cloud, { serverGroupId: t.serverGroupId, serverIds: ids }));
      if (verdict === "applied") return;
      if (verdict === "missed" && ++misses >= SETTLED_MISSES) throw jobError(t, what, "not applied: the group is Available but the servers do not show the change (a failed job?)");
    }
    if (!(await polls.wait())) throw jobError(t, what, `not confirmed before the deadline (group ${group.status ?? "in an unknown status"})`);
  }
}

/**
 * Waits (at most `polls` looks) for the group to be Available, so weights read
 * next are the applied ones. False when it is still changing.
 */
export async function albGroupSettled(cloud: CloudGateway, serverGroupId: string, polls: number): Promise<boolean> {
  const waits = cloud.waiter(JOB_POLL);
  for (let n = 0; n < polls; n++) {
    const group = await albGroup(cloud, serverGroupId);
    if (!group || group.status === "Available") return true;
    if (!(await waits.wait())) return false;
  }
  return false;
}

interface AlbChange {
  api: typeof ALB.updateServerGroupServersAttribute;
  perCall: number;
  withWeight: boolean;
  shown: (part: readonly Backend[], now: readonly AlbServer[]) => Verdict;
  what: string;
}

const WEIGHTS: AlbChange = { api: ALB.updateServerGroupServersAttribute, perCall: ALB_LIMITS.updatePerCall, withWeight: true, shown: weightsShown, what: "weight change" };
const REMOVAL: AlbChange = { api: ALB.removeServersFromServerGroup, perCall: ALB_LIMITS.removePerCall, withWeight: false, shown: removalShown, what: "removal" };

/** Each given entry of `t` to its own weight, 40 per call, each call's job applied before the next. */
export function setAlbWeights(cloud: CloudGateway, t: AlbTarget, servers: readonly Backend[], tokenKey: string): Promise<void> {
  return change(cloud, t, servers, tokenKey, WEIGHTS);
}

/** The given entries out of `t`, 200 per call, each call's job applied before the next. */
export function removeFromAlb(cloud: CloudGateway, t: AlbTarget, servers: readonly Backend[], tokenKey: string): Promise<void> {
  return change(cloud, t, servers, tokenKey, REMOVAL);
}

async function change(cloud: CloudGateway, t: AlbTarget, servers: readonly Backend[], tokenKey: string, c: AlbChange): Promise<void> {
  for (const [i, part] of chunks(servers, c.perCall).entries()) {
    // The first chunk keeps the plain key, so a one-call change has the token it always had.
    let token = i === 0 ? tokenKey : `${tokenKey}#${i}`;
    let left = part;
    // One absent server refuses the whole call: send the rest again, without it.
    for (let round = 0; left.length > 0; round++) {
      const answer = await cloud.mutate(c.api, { ServerGroupId: t.serverGroupId, Servers: serversParam(left, c.withWeight) }, token, { tolerateGone: true });
      if (cloud.dryRun) break;
      if (answer !== undefined) {
        await awaitJob(cloud, t, left, (now) => c.shown(left, now), c.what);
        break;
      }
      if (left.length === 1 || round >= 2 || !(await albGroup(cloud, t.serverGroupId))) break; // gone: the server, or the whole group
      const present = await listAlbServers(cloud, { serverGroupId: t.serverGroupId, serverIds: left.map((b) => b.serverId) });
      left = left.filter((b) => present.some((s) => isEntry(b, s)));
      token = `${token}/without-absent-${round + 1}`;
    }
  }
}

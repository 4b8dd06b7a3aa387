// What the load-balancer modules act on: a target (a CLB's default server
// group, a CLB vServer group, an ALB server group) and backend entries in it.

/** One backend entry (an instance can sit in one group on several ports). */
export interface Backend {
  serverId: string;
  port?: number;
  weight?: number;
  type?: string;
  /**
   * ALB only: the server's configuration state (ListServerGroupServers
   * `Status`: Adding, Available, Configuring, Removing, SDK model). Not health.
   */
  status?: string;
}

export type Target =
  | { kind: "clb-default"; loadBalancerId: string }
  | { kind: "clb-vserver"; loadBalancerId: string; vServerGroupId: string }
  | { kind: "alb"; serverGroupId: string };

export type ClbTarget = Extract<Target, { kind: "clb-default" | "clb-vserver" }>;
export type AlbTarget = Extract<Target, { kind: "alb" }>;

/**
 * Where an instance serves traffic: the target and its entries there. CLB
 * memberships also carry the other backends as discovery read them (the ALB
 * discovery reads only the instance's own entries).
 */
export type Membership = Target & { entries: Backend[]; others?: Backend[] };

export function describeTarget(t: Target): string {
  switch (t.kind) {
    case "clb-default":
      return `CLB ${t.loadBalancerId}`;
    case "clb-vserver":
      return `CLB ${t.loadBalancerId} vServer group ${t.vServerGroupId}`;
    case "alb":
      return `ALB server group ${t.serverGroupId}`;
  }
}

/** The target's own id: a vServer group's or ALB group's id, else the CLB's. */
export function targetId(t: Target): string {
  return t.kind === "alb" ? t.serverGroupId : t.kind === "clb-vserver" ? t.vServerGroupId : t.loadBalancerId;
}

/** `items` in slices of at most `size` (the per-call limits). */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

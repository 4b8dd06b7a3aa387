// Where an instance still serves in the local cloud, for drain tests.
import type { FakeCloud } from "../../../local-cloud";

/** Where an instance still is: `clb:<lb>`, `vsg:<group>:<port>`, `alb:<group>:<port>`, with its weight. */
export function placesOf(fake: FakeCloud, instanceId: string): string[] {
  const s = fake.state;
  const out: string[] = [];
  for (const lb of s.loadBalancers.values()) for (const b of lb.BackendServers) if (b.ServerId === instanceId) out.push(`clb:${lb.LoadBalancerId}=${b.Weight}`);
  for (const g of s.vServerGroups.values()) for (const b of g.BackendServers) if (b.ServerId === instanceId) out.push(`vsg:${g.VServerGroupId}:${b.Port}=${b.Weight}`);
  for (const id of s.albServerGroups.keys()) for (const b of s.getAlbServerGroup(id)!.Servers) if (b.ServerId === instanceId) out.push(`alb:${id}:${b.Port}=${b.Weight}`);
  return out.sort();
}

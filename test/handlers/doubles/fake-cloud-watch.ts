// What a run changed in the local cloud, read from its call log: the handlers' mutating RPC calls
// (the API constants say which are) and object writes other than an oversized dead letter's body.
// Malformed input must change nothing.
import { ALB, ECS, ESS, SLB, type ApiAction } from "../../../handlers/core/apis";
import { HANDLER_NAMES } from "../../../handlers/catalogue";
import type { FakeCloud } from "../../../local-cloud";

export { HANDLER_NAMES };

export const MUTATING_RPC_ACTIONS: ReadonlySet<string> = new Set(
  [ECS, SLB, ALB, ESS].flatMap((product) => Object.values(product as Record<string, ApiAction>)).filter((a) => a.mutating).map((a) => a.action),
);

/** Calls after the first `since` that changed something: `<product>:<action> <key>`. */
export function cloudChanges(fake: FakeCloud, since: number, bucket: string): string[] {
  return fake.callLog
    .calls()
    .slice(since)
    .filter((c) => (MUTATING_RPC_ACTIONS.has(c.action) && c.product !== "OSS" && c.product !== "MNS") || (c.product === "OSS" && c.action === "PutObject" && !(c.params.bucket === bucket && String(c.params.key).includes("/dead-letter/"))))
    .map((c) => `${c.product}:${c.action} ${c.params.key ?? c.params.InstanceId ?? ""}`);
}

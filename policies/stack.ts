// A read-only index over one stack's resources: by type, by parent, and by the
// cloud names rules use to refer to each other (contact groups by name, queues
// by queue name, functions by function name).
import { PolicyProviderLike, PolicyResourceLike } from "./model";
import { UNKNOWN, isUnknown, list, normalize, text } from "./values";

/** Type tokens the rules, the plan tools and their tests read. */
export const T = {
  eventRule: "alicloud:cms/eventRule:EventRule",
  dynamicTagGroup: "alicloud:cms/dynamicTagGroup:DynamicTagGroup",
  alarmContact: "alicloud:cms/alarmContact:AlarmContact",
  alarmContactGroup: "alicloud:cms/alarmContactGroup:AlarmContactGroup",
  queue: "alicloud:message/serviceQueue:ServiceQueue",
  topic: "alicloud:message/serviceTopic:ServiceTopic",
  fcFunction: "alicloud:fc/v3Function:V3Function",
  ramRole: "alicloud:ram/role:Role",
  ramPolicy: "alicloud:ram/policy:Policy",
  ramRolePolicyAttachment: "alicloud:ram/rolePolicyAttachment:RolePolicyAttachment",
  oosTemplate: "alicloud:oos/template:Template",
  oosExecution: "alicloud:oos/execution:Execution",
  metaTag: "alicloud:tag/metaTag:MetaTag",
  tagPolicy: "alicloud:tag/policy:Policy",
  tagPolicyAttachment: "alicloud:tag/policyAttachment:PolicyAttachment",
  bucket: "alicloud:oss/bucket:Bucket",
  logProject: "alicloud:log/project:Project",
  logStore: "alicloud:log/store:Store",
  subscription: "alicloud:message/serviceSubscription:ServiceSubscription",
  fcTrigger: "alicloud:fc/v3Trigger:V3Trigger",
  randomId: "random:index/randomId:RandomId",
  applicationGroup: "eventops:index:ApplicationGroup",
  handlerFunction: "eventops:index:HandlerFunction",
} as const;

/** A name index: exact names, and whether some declared name is unknown (then a miss is undecided, not dangling). */
export interface NameIndex {
  byName: Map<string, PolicyResourceLike>;
  someUnknown: boolean;
}

export class StackIndex {
  readonly resources: readonly PolicyResourceLike[];
  private readonly children = new Map<string, PolicyResourceLike[]>();
  private readonly names = new Map<string, NameIndex>();
  private readonly byType = new Map<string, PolicyResourceLike[]>();
  private static readonly shared = new WeakMap<readonly PolicyResourceLike[], StackIndex>();

  /** One index per resource list, so the rules of one evaluation normalize the stack once. */
  static of(resources: readonly PolicyResourceLike[]): StackIndex {
    let index = StackIndex.shared.get(resources);
    if (!index) StackIndex.shared.set(resources, (index = new StackIndex(resources)));
    return index;
  }

  constructor(resources: readonly PolicyResourceLike[]) {
    this.resources = normalizeResources(resources);
    for (const r of this.resources) {
      const same = this.byType.get(r.type);
      if (same) same.push(r);
      else this.byType.set(r.type, [r]);
      if (!r.parent) continue;
      const siblings = this.children.get(r.parent.urn);
      if (siblings) siblings.push(r);
      else this.children.set(r.parent.urn, [r]);
    }
  }

  ofType(type: string): PolicyResourceLike[] {
    return [...(this.byType.get(type) ?? [])];
  }

  childrenOf(parent: PolicyResourceLike, type?: string): PolicyResourceLike[] {
    const all = this.children.get(parent.urn) ?? [];
    return type ? all.filter((c) => c.type === type) : all;
  }

  /** Resources of `type` by the cloud name held in `prop`. */
  named(type: string, prop: string): NameIndex {
    const key = `${type}#${prop}`;
    let idx = this.names.get(key);
    if (!idx) {
      idx = { byName: new Map(), someUnknown: false };
      for (const r of this.ofType(type)) {
        const v = r.props[prop];
        if (isUnknown(v)) idx.someUnknown = true;
        else if (text(v) !== undefined) idx.byName.set(text(v)!, r);
      }
      this.names.set(key, idx);
    }
    return idx;
  }

  contactGroups(): NameIndex {
    return this.named(T.alarmContactGroup, "alarmContactGroupName");
  }
  contacts(): NameIndex {
    return this.named(T.alarmContact, "alarmContactName");
  }
  queues(): NameIndex {
    return this.named(T.queue, "queueName");
  }
  topics(): NameIndex {
    return this.named(T.topic, "topicName");
  }
  functions(): NameIndex {
    return this.named(T.fcFunction, "functionName");
  }
}

/**
 * Normal form of a resource list: plain props (values.ts) and parents that are
 * members of the same list. Accepts CrossGuard `PolicyResource`s as they come.
 */
export function normalizeResources(resources: readonly PolicyResourceLike[]): PolicyResourceLike[] {
  const out = new Map<string, PolicyResourceLike>();
  for (const r of resources) {
    const provider = r.provider ? normalizeProvider(r.provider) : undefined;
    out.set(r.urn, { type: r.type, name: r.name, urn: r.urn, props: normalize(r.props ?? {}) as Record<string, unknown>, ...(r.id ? { id: r.id } : {}), ...(provider ? { provider } : {}) });
  }
  for (const r of resources) {
    const parentUrn = r.parent?.urn;
    if (parentUrn && out.has(parentUrn)) out.get(r.urn)!.parent = out.get(parentUrn);
  }
  return [...out.values()];
}

function normalizeProvider(p: PolicyProviderLike): PolicyProviderLike {
  return { type: p.type, name: p.name, urn: p.urn, props: normalize(p.props ?? {}) as Record<string, unknown> };
}

/**
 * The region a resource's API calls go to: its provider's `region`. UNKNOWN when
 * the value is unknown until apply; undefined when no provider is known or it
 * sets none (the alicloud provider then reads ALICLOUD_REGION or
 * ALIBABA_CLOUD_REGION at deploy time: terraform-provider-alicloud alicloud/provider.go).
 */
export function providerRegion(r: PolicyResourceLike): string | undefined {
  const region = r.provider?.props.region;
  if (isUnknown(region)) return UNKNOWN;
  return text(region) || undefined;
}

/** Levels an event rule's pattern selects (`*` = every level); UNKNOWN when the list is unknown. */
export function ruleLevels(rule: PolicyResourceLike): string[] | "unknown" {
  const pattern = rule.props.eventPattern;
  if (isUnknown(pattern)) return "unknown";
  const levels = (pattern as Record<string, unknown> | undefined)?.levelLists;
  if (isUnknown(levels)) return "unknown";
  return list(levels).map((l) => (isUnknown(l) ? "unknown" : String(l)));
}

export function describe(r: PolicyResourceLike): string {
  const cloudName = text(r.props.ruleName) ?? text(r.props.queueName) ?? text(r.props.functionName);
  return cloudName && cloudName !== r.name ? `${r.name} (${cloudName})` : r.name;
}

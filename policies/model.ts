// The shapes every policy rule works with, in both worlds: CrossGuard's
// `validateStack` (real preview/up) and the offline plan graph (tools/plan).

/** A resource as a rule sees it: CrossGuard's `PolicyResource` shape, minus what rules never use. */
export interface PolicyResourceLike {
  /** Pulumi type token, e.g. `alicloud:cms/eventRule:EventRule`. */
  type: string;
  /** Pulumi logical name. */
  name: string;
  urn: string;
  /**
   * Properties (CrossGuard: outputs; offline: declared inputs). After
   * normalisation (values.ts) a Pulumi secret is the string "[secret]" and a
   * value unknown until apply is the string "[unknown]".
   */
  props: Record<string, unknown>;
  parent?: PolicyResourceLike;
  /** Provider ID where the world knows it (the offline plan does; CrossGuard's stack view does not). */
  id?: string;
  /**
   * The provider resource that manages it (CrossGuard: `PolicyResource.provider`,
   * the default provider when the program names none; offline: the plan's record).
   */
  provider?: PolicyProviderLike;
}

/** A provider resource as a rule sees it (CrossGuard's `PolicyProviderResource`), e.g. `pulumi:providers:alicloud`. */
export interface PolicyProviderLike {
  type: string;
  name: string;
  urn: string;
  /** Its inputs: for alicloud, `region` is the region every API call of its resources goes to. */
  props: Record<string, unknown>;
}

export type Enforcement = "advisory" | "mandatory";
export type Severity = "low" | "medium" | "high" | "critical";

/** What a rule says about one resource (or the stack, without `resource`). */
export interface Finding {
  resource?: PolicyResourceLike;
  message: string;
  /**
   * True when the rule could not decide (a value unknown until apply, a secret
   * whose shape cannot be read). Always reported, always advisory: never a pass.
   */
  undecided?: boolean;
}

/** Facts a rule needs that are not in the resources themselves. */
export interface EvaluationContext {
  /** RAM actions each Function Compute handler may use, by handler name (from handlers/). */
  allowedActions?: Readonly<Record<string, readonly string[]>>;
  /** Tag keys every taggable resource must carry (stack config `tags.required`). */
  requiredTagKeys?: readonly string[];
  /**
   * CMS application group ID created for each dynamic tag rule (by the dynamic
   * tag group's provider ID). Known offline (the plan records the look-up); in a
   * real preview it is not, and scope is checked by consistency instead.
   */
  monitorGroupIdByDynamicTagRule?: ReadonlyMap<string, string>;
  /** The account the stack deploys into, where known (offline: the getAccount stand-in; CrossGuard: not known). */
  accountId?: string;
}

export interface PolicyRule {
  /** Policy name in CrossGuard, e.g. `tier-coverage`. */
  id: string;
  displayName: string;
  severity: Severity;
  enforcement: Enforcement;
  description: string;
  remediation: string;
  /**
   * Where the facts a rule enforces come from (a repository file or a doc page),
   * for rules that encode the cloud's or the provider's constraints.
   */
  sources?: readonly string[];
  /**
   * True for a rule judged on declared inputs. CrossGuard's stack view shows
   * outputs (with provider-computed fields filled in), so such a rule runs there
   * as a resource validation, which sees inputs.
   */
  judgesInputs?: boolean;
  check(resources: readonly PolicyResourceLike[], context: EvaluationContext): Finding[];
}

/** One reported problem, the same record offline and in CI. */
export interface Violation {
  policy: string;
  enforcement: Enforcement;
  severity: Severity;
  resource?: { urn: string; name: string; type: string };
  message: string;
  remediation: string;
  undecided: boolean;
}

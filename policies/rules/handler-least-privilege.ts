// handler-least-privilege: each Function Compute handler's role may do exactly
// what its code calls, spelled out action by action. The allowed sets come
// from the bundle manifest (policies/evaluate.ts bundledRamActions), which
// `npm run bundle` writes from the handler code.
import { HANDLER_NAMES } from "../../handlers/catalogue";
import { UNSCOPABLE_ACTIONS, isReadAction } from "../../infra/automation/role-policy";
import { Finding, PolicyResourceLike, PolicyRule } from "../model";
import { StackIndex, T } from "../stack";
import { isSecret, isUnknown, list, record, text } from "../values";

export const handlerLeastPrivilege: PolicyRule = {
  id: "handler-least-privilege",
  displayName: "Handler roles allow only their handler's explicit actions",
  severity: "critical",
  enforcement: "mandatory",
  description:
    "Every HandlerFunction's RAM policies allow explicit actions only (no `*`, `svc:*`, `*:*`, other wildcards or `NotAction`), " +
    "and only actions in that handler's allowed set (the bundle manifest, dist/handlers/manifest.json); its role has no policy attached that this stack does not declare beside it. " +
    "A mutating action is scoped by resource ARN or a condition (acs:ResourceTag/<scope key>): on `Resource: \"*\"` without a Condition only if RAM cannot scope it " +
    "(infra/automation/role-policy.ts UNSCOPABLE_ACTIONS, each with its source), and then the policy's description says so.",
  remediation:
    "Build the policy document from the handler bundle's `ramActions` (infra/automation/bundles.ts readBundles). If the handler needs " +
    "a new API, declare it in the handler's `apis` and re-run `npm run bundle`, so code and permission change together.",
  check(resources, context) {
    const index = StackIndex.of(resources);
    const findings: Finding[] = [];
    for (const component of index.ofType(T.handlerFunction)) {
      const handler = handlerName(index, component);
      const at = `handler ${handler ?? component.name}`;
      if (handler === "unknown") {
        findings.push({ resource: component, undecided: true, message: `could not verify the permissions of ${component.name}: its handler name is unknown until apply` });
        continue;
      }
      if (!handler) {
        findings.push({ resource: component, message: `could not tell which handler ${component.name} runs (no \`handler\` property and no function named after a known handler), so its permissions cannot be checked` });
        continue;
      }
      const allowedList = context.allowedActions?.[handler];
      if (!context.allowedActions) {
        findings.push({ resource: component, undecided: true, message: `could not verify the permissions of ${at}: no allowed-action sets were given (the bundle manifest)` });
      } else if (!allowedList) {
        findings.push({ resource: component, message: `${at} has no allowed-action set in the bundle manifest (dist/handlers/manifest.json), so it may not be deployed with any permission` });
      }
      const allowed = new Set((allowedList ?? []).map((a) => a.toLowerCase()));
      const policies = index.childrenOf(component, T.ramPolicy);
      for (const policy of policies) findings.push(...documentFindings(policy, at, allowedList ? allowed : undefined));
      findings.push(...attachmentFindings(index, component, policies, at));
    }
    return findings;
  },
};

/** `handler` input of the component, else the known handler its function is named after. */
function handlerName(index: StackIndex, component: PolicyResourceLike): string | undefined | "unknown" {
  const declared = component.props.handler;
  if (isUnknown(declared)) return "unknown";
  if (text(declared)) return text(declared);
  const fns = index.childrenOf(component, T.fcFunction).map((f) => text(f.props.functionName) ?? "");
  const byName = [...HANDLER_NAMES].sort((a, b) => b.length - a.length).find((h) => fns.some((f) => f === h || f.endsWith(`-${h}`)) || component.name.endsWith(h));
  return byName;
}

interface Statement {
  Effect?: unknown;
  Action?: unknown;
  NotAction?: unknown;
  Resource?: unknown;
  Condition?: unknown;
}

/** UNSCOPABLE_ACTIONS by lower-case name (RAM action names are case-insensitive). */
const UNSCOPABLE = new Map(Object.keys(UNSCOPABLE_ACTIONS).map((a) => [a.toLowerCase(), a]));

/**
 * Least privilege by resource (issue 12 R4): a mutating action allowed on every resource with no
 * condition is a finding, unless RAM cannot scope it; then the policy's description must say so
 * (RAM statements have no description of their own).
 */
function resourceFindings(policy: PolicyResourceLike, where: string, s: Statement, i: number, actions: string[], allowed: Set<string> | undefined): Finding[] {
  const resources = typeof s.Resource === "string" ? [s.Resource] : list(s.Resource).map(String);
  if (!resources.includes("*") || s.Condition !== undefined) return [];
  const description = policy.props.description;
  const out: Finding[] = [];
  // An action outside the allowed set is a finding already: its scope is moot.
  for (const action of actions.filter((a) => !wildcardProblem(a) && !isReadAction(a) && (!allowed || allowed.has(a.toLowerCase())))) {
    const unscopable = UNSCOPABLE.get(action.toLowerCase());
    if (!unscopable) {
      out.push({ resource: policy, message: `${where}: Statement[${i}] allows the mutating action "${action}" on every resource (Resource "*", no Condition); scope it by resource ARN or acs:ResourceTag/<scope key>, or, if RAM cannot, list it with its source in UNSCOPABLE_ACTIONS (infra/automation/role-policy.ts)` });
    } else if (isUnknown(description)) {
      out.push({ resource: policy, undecided: true, message: `could not verify that ${where} says why "${action}" is on every resource: its description is unknown until apply` });
    } else if (!(text(description) ?? "").toLowerCase().includes(unscopable.toLowerCase())) {
      out.push({ resource: policy, message: `${where}: Statement[${i}] allows "${action}" on every resource (RAM cannot scope it: ${UNSCOPABLE_ACTIONS[unscopable]}), but the policy's description does not say so` });
    }
  }
  return out;
}

/**
 * Actions Function Compute itself takes with the function's role, whatever the handler's code
 * calls: writing the function's logs ("授予函数计算所需权限的 RAM role … 把 function 产生的 log 发送到用户的
 * logstore 中", Serverless Devs FC `service.role`). Allowed only on named log stores, never `*`.
 */
const PLATFORM_ACTIONS = new Set(["log:postlogstorelogs"]);
const LOG_STORE_ARN = /^acs:log:[a-z0-9-]+:\d+:project\/[a-z0-9-]+\/logstore\/[A-Za-z0-9_-]+$/;
const onNamedLogStores = (resource: unknown) => {
  const arns = typeof resource === "string" ? [resource] : list(resource).map(String);
  return arns.length > 0 && arns.every((a) => LOG_STORE_ARN.test(a));
};

function documentFindings(policy: PolicyResourceLike, at: string, allowed: Set<string> | undefined): Finding[] {
  const doc = policy.props.policyDocument;
  const where = `RAM policy ${text(policy.props.policyName) ?? policy.name} of ${at}`;
  if (isUnknown(doc)) return [{ resource: policy, undecided: true, message: `could not verify ${where}: policyDocument is unknown until apply` }];
  if (isSecret(doc)) return [{ resource: policy, undecided: true, message: `could not verify ${where}: policyDocument is a secret and cannot be read` }];
  let parsed: unknown = doc;
  if (typeof doc === "string") {
    try {
      parsed = JSON.parse(doc);
    } catch {
      return [{ resource: policy, message: `${where} is not valid JSON` }];
    }
  }
  const statements = record(parsed).Statement;
  const list_ = (Array.isArray(statements) ? statements : statements ? [statements] : []) as Statement[];
  const out: Finding[] = [];
  list_.forEach((s, i) => {
    if (String(s.Effect ?? "Allow").toLowerCase() !== "allow") return;
    if (s.NotAction !== undefined) out.push({ resource: policy, message: `${where}: Statement[${i}] allows by NotAction (everything except a list); list explicit actions instead` });
    const actions = typeof s.Action === "string" ? [s.Action] : list(s.Action).map(String);
    for (const action of actions) {
      const problem = wildcardProblem(action);
      if (problem) out.push({ resource: policy, message: `${where}: Statement[${i}] allows "${action}" (${problem}); list explicit actions` });
      else if (PLATFORM_ACTIONS.has(action.toLowerCase()) && onNamedLogStores(s.Resource)) continue;
      else if (allowed && !allowed.has(action.toLowerCase())) out.push({ resource: policy, message: `${where}: Statement[${i}] allows "${action}", which is not in the handler's allowed set (the bundle manifest)` });
    }
    out.push(...resourceFindings(policy, where, s, i, actions, allowed));
  });
  return out;
}

export function wildcardProblem(action: string): string | undefined {
  if (action === "*" || action === "*:*") return "every action of every service";
  if (/^[^:]+:\*$/.test(action)) return "every action of the service";
  if (action.includes("*") || action.includes("?")) return "a wildcard pattern";
  if (!/^[a-z0-9-]+:[A-Za-z0-9]+$/i.test(action)) return "not of the form service:Action";
  return undefined;
}

/** The role may carry only the policies declared beside it (no system policies such as AdministratorAccess). */
function attachmentFindings(index: StackIndex, component: PolicyResourceLike, policies: PolicyResourceLike[], at: string): Finding[] {
  const declared = new Set(policies.map((p) => text(p.props.policyName)).filter((n): n is string => !!n && !isUnknown(n)));
  const someUnknown = policies.some((p) => isUnknown(p.props.policyName));
  const out: Finding[] = [];
  for (const a of index.childrenOf(component, T.ramRolePolicyAttachment)) {
    const name = a.props.policyName;
    const type = a.props.policyType;
    if (isUnknown(name) || isUnknown(type)) {
      if (!declared.has(text(name) ?? "")) out.push({ resource: a, undecided: true, message: `could not verify the policy attached by ${a.name} to ${at}: its name or type is unknown until apply` });
      continue;
    }
    if (text(type) && text(type) !== "Custom") out.push({ resource: a, message: `${a.name} attaches ${text(type)} policy ${text(name)} to ${at}; only the handler's own custom policy may be attached` });
    else if (!declared.has(text(name) ?? "")) {
      if (someUnknown) out.push({ resource: a, undecided: true, message: `could not verify that policy ${text(name)} attached to ${at} is the handler's own: a policy name is unknown until apply` });
      else out.push({ resource: a, message: `${a.name} attaches policy ${text(name)} to ${at}, which is not declared beside it and so not checked` });
    }
  }
  return out;
}

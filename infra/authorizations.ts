// Service roles CloudMonitor and EventBridge need that this stack cannot declare safely, checked
// before anything depends on them: a `ram.getRoles` look-up per service role that
// fails the preview (and the offline plan) with the console step to take.
//
// Why not declared: AliyunCloudMonitorDefaultRole is created by the console's "Cloud
// Resource Access Authorization" click (CMS doc "Write alerts to MNS", doc-detail/119889:
// "Go to the Cloud Resource Access Authorization page to allow CloudMonitor to assume the
// AliyunCloudMonitorDefaultRole role"), not by activating CloudMonitor. A `ram.Role` of
// that name fails with EntityAlreadyExists.Role wherever someone clicked, and it is
// account-wide, so no stack may own (and on destroy delete) it.
import * as pulumi from "@pulumi/pulumi";
import * as alicloud from "@pulumi/alicloud";

/** A service role a cloud service assumes, what it is for, and how to grant it. */
export interface ServiceRoleNeed {
  readonly role: string;
  readonly why: string;
  readonly grant: string;
}

/** CMS → MNS: event rules with queue targets. */
export const CMS_TO_MNS: ServiceRoleNeed = {
  role: "AliyunCloudMonitorDefaultRole",
  why: "CloudMonitor delivers event-rule messages to MNS queues as this role",
  grant:
    "as the account owner, open the RAM console's Cloud Resource Access Authorization page for CloudMonitor (role AliyunCloudMonitorDefaultRole, template DefaultRole) and click Confirm Authorization Policy (CMS doc 'Write alerts to MNS')",
};

/**
 * The queue triggers: FC 3.0's MNS-queue trigger is an EventBridge event stream, which reads
 * the queue, invokes the function and writes dead letters to MNS as EventBridge's
 * service-linked roles (EventBridge doc "Service-linked roles"; CreateServiceLinkedRoleForProduct
 * ProductName: AliyunServiceRoleForEventBridgeSourceMNS "Integrates MNS into EventBridge",
 * AliyunServiceRoleForEventBridgeSendToFC "Delivers events to Function Compute";
 * AliyunServiceRoleForEventBridgeSendToMNS, sending to MNS). The console creates them on
 * first use; whether CreateTrigger does is not documented, so they are checked, not assumed.
 */
export const EVENTBRIDGE_QUEUE_TRIGGER: readonly ServiceRoleNeed[] = [
  ["AliyunServiceRoleForEventBridgeSourceMNS", "EventBridge reads the handlers' MNS queues for their queue triggers as this role"],
  ["AliyunServiceRoleForEventBridgeSendToFC", "EventBridge invokes the handler functions with each batch as this role"],
  ["AliyunServiceRoleForEventBridgeSendToMNS", "EventBridge writes batches that failed for good to the dead-letter queues as this role"],
].map(([role, why]) => ({
  role,
  why,
  grant: `as the account owner, create the service-linked role once: \`aliyun eventbridge CreateServiceLinkedRoleForProduct --ProductName ${role}\` (EventBridge API CreateServiceLinkedRoleForProduct), or create any EventBridge event stream from MNS to Function Compute in the console`,
}));

/** Which needs are missing, given the role names that exist: one message per missing role, naming the step. */
export function missingAuthorizations(needs: readonly ServiceRoleNeed[], existing: ReadonlySet<string>): string[] {
  return needs
    .filter((n) => !existing.has(n.role))
    .map((n) => `RAM role ${n.role} is missing: ${n.why}. To fix: ${n.grant}; then run the preview again (or set event-ops:account.checkAuthorizations: false to skip this check).`);
}

export class AuthorizationError extends Error {
  override name = "AuthorizationError";
}

/**
 * Looks each role up (`alicloud.ram.getRoles`, nameRegex exact) and fails with every missing
 * one at once. Resolves to the checked role names, as a stack output (so the check is awaited).
 */
export function checkServiceRoles(needs: readonly ServiceRoleNeed[]): pulumi.Output<string[]> {
  const unique = [...new Map(needs.map((n) => [n.role, n])).values()];
  const lookups = unique.map((n) => alicloud.ram.getRolesOutput({ nameRegex: `^${n.role}$` }).names);
  return pulumi.all(lookups).apply((found) => {
    const missing = missingAuthorizations(unique, new Set(found.flat()));
    if (missing.length > 0) throw new AuthorizationError(`missing authorization${missing.length > 1 ? "s" : ""}:\n  - ${missing.join("\n  - ")}`);
    return unique.map((n) => n.role);
  });
}

// Authorizations CloudMonitor needs that this stack cannot declare safely, checked
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

/** A service role CloudMonitor assumes, what it is for, and how to grant it. */
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
 * CMS → FC: event rules with function targets. The role name comes from Alibaba's list of
 * CloudMonitor default roles (trust cloudmonitor.aliyuncs.com, policy
 * AliyunCloudMonitorAccessingFCRolePolicy), medium confidence; issue 14 replaces FC targets
 * by an MNS queue trigger.
 */
export const CMS_TO_FC: ServiceRoleNeed = {
  role: "AliyunCloudMonitorAccessingFCRole",
  why: "CloudMonitor invokes Function Compute targets of event rules as this role",
  grant:
    "as the account owner, grant CloudMonitor access to Function Compute on the RAM console's Cloud Resource Access Authorization page (role AliyunCloudMonitorAccessingFCRole), e.g. by confirming the prompt when adding a Function Compute target to a CloudMonitor event rule",
};

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

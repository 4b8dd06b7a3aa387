// The cloud-managed path for spot interruptions of one application group: an
// OOS template that drains the instance from every load balancer and vServer
// group, run as a declared RAM role that may call only the SLB actions the
// template calls.
//
// The listener is NOT a resource. An `ACS::EventTrigger` execution stays
// `Waiting` until the event comes ("After a template containing this action is
// executed, the execution enters the Waiting state", OOS doc ACS::EventTrigger),
// and `oos.Execution`'s create polls until Success/Failed/Cancelled with an
// 11-minute timeout (resource_alicloud_oos_execution.go), so `up` would hang and
// fail. The listener is started once, out of band, with the command in
// `listenerCommand` (README "First deploy on a real account"), and restarted
// after a template change (a running execution keeps the version it started with).
import * as pulumi from "@pulumi/pulumi";
import * as alicloud from "@pulumi/alicloud";
import { spotDrainTemplate, templateActions, templateContent } from "../oos/spot-drain-template";
import { ResourceTags } from "./resource-tags";

export interface OosSpotDrainArgs {
  /** OOS template name. */
  readonly templateName: string;
  /** RAM role the template runs as (at most 64 characters). */
  readonly roleName: string;
  /** Seconds a drained backend keeps finishing connections before removal (at least 1). */
  readonly drainWaitSeconds: number;
  /** Only instances carrying every one of these tags are drained: the group's tag and the automation scope tag. */
  readonly triggerTags: readonly { readonly key: string; readonly value: string }[];
  /** Region the template acts in, e.g. `cn-hangzhou`. */
  readonly region: string;
  /** Tags of the template. */
  readonly tags: ResourceTags;
}

/** OOS assumes its role as a normal service role (OOS doc "Use RAM to grant permissions to OOS": trusted service CloudOps Orchestration Service). */
export const OOS_ASSUME_ROLE_POLICY = JSON.stringify({
  Version: "1",
  Statement: [{ Action: "sts:AssumeRole", Effect: "Allow", Principal: { Service: ["oos.aliyuncs.com"] } }],
});

/** The one-off command that starts the listener (OOS StartExecution; Mode Automatic is the provider's default too). */
export function listenerCommand(region: string, templateName: string): string {
  return `aliyun oos StartExecution --RegionId ${region} --TemplateName ${templateName} --Mode Automatic`;
}

export class OosSpotDrain extends pulumi.ComponentResource {
  /** Name of the template. */
  readonly templateName: pulumi.Output<string>;
  /** The command that starts (or, after a template change, restarts) the listening execution. */
  readonly listenerCommand: pulumi.Output<string>;

  constructor(name: string, args: OosSpotDrainArgs, opts?: pulumi.ComponentResourceOptions) {
    super("eventops:index:OosSpotDrain", name, {}, opts);
    const options = { drainWaitSeconds: Math.max(1, args.drainWaitSeconds), tags: args.triggerTags, regionId: args.region, roleName: args.roleName };
    const role = new alicloud.ram.Role(
      `${name}-role`,
      { roleName: args.roleName, assumeRolePolicyDocument: OOS_ASSUME_ROLE_POLICY, description: `OOS spot drain ${args.templateName}` },
      { parent: this },
    );
    const policy = new alicloud.ram.Policy(
      `${name}-policy`,
      {
        policyName: `${args.roleName}-policy`,
        // Only what the template's tasks call; CLB actions take no narrower resource here.
        policyDocument: JSON.stringify({ Version: "1", Statement: [{ Effect: "Allow", Action: templateActions(spotDrainTemplate(options)), Resource: ["*"] }] }),
        description: `Only the SLB actions of OOS template ${args.templateName}`,
      },
      { parent: this },
    );
    const attachment = new alicloud.ram.RolePolicyAttachment(
      `${name}-attachment`,
      { roleName: role.roleName, policyName: policy.policyName, policyType: "Custom" },
      { parent: this },
    );
    const template = new alicloud.oos.Template(
      `${name}-template`,
      { templateName: args.templateName, content: templateContent(options), tags: args.tags },
      { parent: this, dependsOn: [attachment] },
    );
    this.templateName = template.templateName;
    this.listenerCommand = template.templateName.apply((t) => listenerCommand(args.region, t));
    this.registerOutputs({ templateName: this.templateName, listenerCommand: this.listenerCommand });
  }
}

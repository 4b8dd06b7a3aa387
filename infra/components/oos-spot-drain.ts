// The cloud-managed path for spot interruptions of one application group: an
// OOS template that drains the instance from every load balancer and vServer
// group, and the event-triggered execution that keeps it listening.
import * as pulumi from "@pulumi/pulumi";
import * as alicloud from "@pulumi/alicloud";
import { templateContent } from "../oos/spot-drain-template";
import { ResourceTags } from "./resource-tags";

export interface OosSpotDrainArgs {
  /** OOS template name. */
  readonly templateName: string;
  /** Seconds a drained backend keeps finishing connections before removal (at least 1). */
  readonly drainWaitSeconds: number;
  /** Only instances carrying this tag are drained: the group's tag. */
  readonly groupTag: { readonly key: string; readonly value: string };
  /** Region the template acts in, e.g. `cn-hangzhou`. */
  readonly region: string;
  /** Tags of the template. */
  readonly tags: ResourceTags;
}

export class OosSpotDrain extends pulumi.ComponentResource {
  /** Name of the template. */
  readonly templateName: pulumi.Output<string>;

  constructor(name: string, args: OosSpotDrainArgs, opts?: pulumi.ComponentResourceOptions) {
    super("eventops:index:OosSpotDrain", name, {}, opts);
    const template = new alicloud.oos.Template(
      `${name}-template`,
      {
        templateName: args.templateName,
        content: templateContent({ drainWaitSeconds: Math.max(1, args.drainWaitSeconds), scopeTag: args.groupTag, regionId: args.region }),
        tags: args.tags,
      },
      { parent: this },
    );
    // An EventTrigger template acts only while an execution of it is waiting for events.
    new alicloud.oos.Execution(
      `${name}-listener`,
      { templateName: template.templateName, mode: "Automatic", description: `Listens for spot interruptions of ${args.groupTag.key}=${args.groupTag.value}` },
      { parent: this },
    );
    this.templateName = template.templateName;
    this.registerOutputs({ templateName: this.templateName });
  }
}

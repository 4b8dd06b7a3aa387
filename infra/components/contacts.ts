// Contacts with their channels, and contact groups by role. Webhook URLs stay
// Pulumi secrets all the way into state.
import * as pulumi from "@pulumi/pulumi";
import * as alicloud from "@pulumi/alicloud";
import { Contact, ContactGroup } from "../config/schema";
import { Naming, contactGroupName, contactName } from "../naming";

export interface ContactsArgs {
  readonly contacts: Contact[];
  readonly groups: ContactGroup[];
  readonly naming: Naming;
}

export class Contacts extends pulumi.ComponentResource {
  /** Cloud contact group names by config name. */
  readonly groupNames: Record<string, pulumi.Output<string>> = {};
  /** Contact group resources by config name, with their cloud names (rules depend on them). */
  readonly groupResources: Record<string, { cloudName: string; resource: alicloud.cms.AlarmContactGroup }> = {};

  constructor(name: string, args: ContactsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("eventops:index:Contacts", name, {}, opts);
    const contacts = new Map<string, alicloud.cms.AlarmContact>();
    for (const c of args.contacts) {
      contacts.set(
        c.name,
        new alicloud.cms.AlarmContact(
          `${name}-${c.name}`,
          {
            alarmContactName: contactName(args.naming, c.name),
            describe: c.description ?? c.name,
            channelsMail: c.email,
            channelsSms: c.phone,
            channelsDingWebHook: c.dingtalkWebhook === undefined ? undefined : pulumi.secret(c.dingtalkWebhook),
            lang: c.lang,
          },
          { parent: this },
        ),
      );
    }
    for (const g of args.groups) {
      const group = new alicloud.cms.AlarmContactGroup(
        `${name}-group-${g.name}`,
        {
          alarmContactGroupName: contactGroupName(args.naming, g.name),
          describe: g.description ?? `${g.role}: ${g.members.join(", ")}`,
          contacts: g.members.map((m) => contacts.get(m)!.alarmContactName),
        },
        { parent: this },
      );
      this.groupNames[g.name] = group.alarmContactGroupName;
      this.groupResources[g.name] = { cloudName: contactGroupName(args.naming, g.name), resource: group };
    }
    this.registerOutputs({ groupNames: this.groupNames });
  }
}

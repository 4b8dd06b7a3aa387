// Alarm contacts with their channels, and contact groups of them. DingTalk
// webhook URLs stay Pulumi secrets all the way into state.
import * as pulumi from "@pulumi/pulumi";
import * as alicloud from "@pulumi/alicloud";

export interface AlarmContactSpec {
  /** Short name: the contact's resource is `<component>-<name>`, and groups list members by it. */
  readonly name: string;
  /** CMS alarm contact name; contacts are account-wide, so make it unique in the account. */
  readonly alarmContactName: string;
  /** Shown in the CloudMonitor console; default the short name. */
  readonly description?: string;
  /** Email channel. */
  readonly email?: pulumi.Input<string>;
  /** Mobile number for SMS and phone calls. */
  readonly phone?: pulumi.Input<string>;
  /** DingTalk robot webhook URL; it carries a token, so it is declared as a secret. */
  readonly dingtalkWebhook?: pulumi.Input<string>;
  /** Language of the notifications; the provider accepts `en` and `zh-cn` (resource_alicloud_cms_alarm_contact.go). */
  readonly lang?: pulumi.Input<string>;
}

export interface AlarmContactGroupSpec {
  /** Short name: the group's resource is `<component>-group-<name>`, and outputs are keyed by it. */
  readonly name: string;
  /** CMS alarm contact group name, unique in the account. */
  readonly alarmContactGroupName: string;
  /** Shown in the CloudMonitor console; default the member list. */
  readonly description?: string;
  /** Short names of the contacts in the group (from `contacts`). */
  readonly members: readonly string[];
}

export interface ContactsArgs {
  /** The alarm contacts. */
  readonly contacts: readonly AlarmContactSpec[];
  /** Contact groups of those contacts: what event rules notify. */
  readonly groups: readonly AlarmContactGroupSpec[];
}

export class Contacts extends pulumi.ComponentResource {
  /** CMS contact group names by short name. */
  readonly groupNames: Record<string, pulumi.Output<string>> = {};
  /** Contact group resources by short name (rules that name a group by plain string depend on it). */
  readonly groups: Record<string, alicloud.cms.AlarmContactGroup> = {};

  constructor(name: string, args: ContactsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("eventops:index:Contacts", name, {}, opts);
    const contacts = new Map<string, alicloud.cms.AlarmContact>();
    for (const c of args.contacts) {
      contacts.set(
        c.name,
        new alicloud.cms.AlarmContact(
          `${name}-${c.name}`,
          {
            alarmContactName: c.alarmContactName,
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
      const members = g.members.map((m) => {
        const contact = contacts.get(m);
        if (!contact) throw new Error(`Contacts ${name}: group '${g.name}' lists member '${m}', which is not a contact; contacts: ${[...contacts.keys()].join(", ")}`);
        return contact.alarmContactName;
      });
      const group = new alicloud.cms.AlarmContactGroup(
        `${name}-group-${g.name}`,
        { alarmContactGroupName: g.alarmContactGroupName, describe: g.description ?? g.members.join(", "), contacts: members },
        { parent: this },
      );
      this.groupNames[g.name] = group.alarmContactGroupName;
      this.groups[g.name] = group;
    }
    this.registerOutputs({ groupNames: this.groupNames });
  }
}

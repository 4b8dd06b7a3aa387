// Another Pulumi program built on the event-ops components: its own contact
// groups, its own tag (`team`), and the event-ops tier template applied to each
// of its groups. It reads no event-ops stack config: every arg is a cloud name,
// a value, or an Output of this program's own resources.
import * as pulumi from "@pulumi/pulumi";
import * as alicloud from "@pulumi/alicloud";
import { ApplicationGroup, TierTemplate } from "alicloud-event-ops/components";

const region = new pulumi.Config("alicloud").get("region") ?? "cn-shanghai";

const pager = new alicloud.cms.AlarmContact("pager", {
  alarmContactName: "shop-pager",
  describe: "Shop on-call phone",
  channelsSms: "+8613900000000",
  channelsMail: "oncall@shop.example.com",
});
const leads = new alicloud.cms.AlarmContact("leads", { alarmContactName: "shop-leads", describe: "Shop team leads", channelsMail: "leads@shop.example.com" });
const oncall = new alicloud.cms.AlarmContactGroup("oncall", { alarmContactGroupName: "shop-oncall", describe: "Paged", contacts: [pager.alarmContactName] });
const owners = new alicloud.cms.AlarmContactGroup("owners", { alarmContactGroupName: "shop-owners", describe: "Told", contacts: [leads.alarmContactName] });

/** Who each severity tier tells: this program's own contact groups, passed as Outputs. */
const tiers: TierTemplate = {
  CRITICAL: { contactGroups: [oncall.alarmContactGroupName], channels: "phone", silenceSeconds: 300 },
  WARN: { contactGroups: [owners.alarmContactGroupName], channels: "sms", silenceSeconds: 1800 },
  INFO: { contactGroups: [owners.alarmContactGroupName], channels: "chat", silenceSeconds: 21600 },
};

/** One application group per value of this program's `team` tag, each with a rule per tier. */
const teams = ["storefront", "catalog"];
const groups = teams.map(
  (team) =>
    new ApplicationGroup(`team-${team}`, {
      groupName: team,
      tagKey: "team",
      tagValue: team,
      contactGroups: [oncall.alarmContactGroupName],
      tiers,
      ruleNamePrefix: `shop-${team}`,
      region,
    }),
);

export const groupIds = Object.fromEntries(groups.map((g, i) => [teams[i], g.groupId]));
export const ruleNames = groups.flatMap((g) => g.ruleNames);

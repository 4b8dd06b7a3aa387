import assert from "node:assert/strict";
import { CATALOGUE } from "../../handlers/catalogue";
import { RawConfig, validateConfig } from "../../infra/config/validate";

/** A small valid config; each case below breaks one thing. */
function base(): RawConfig {
  return {
    stack: "test",
    region: "cn-hangzhou",
    isSecret: (p) => p.endsWith(".dingtalkWebhook") || p.endsWith(".url"),
    values: {
      tags: { groupBy: "app", keys: { app: { values: ["web", "api"] }, managed: { values: ["yes"] } } },
      contacts: [
        { name: "ann", email: "ann@example.com", phone: "+8613800000000" },
        { name: "bob", email: "bob@example.com", dingtalkWebhook: "https://oapi.dingtalk.com/robot/send?access_token=x" },
      ],
      contactGroups: [
        { name: "oncall", role: "oncall", members: ["ann", "bob"] },
        { name: "owners", role: "owners", members: ["bob"] },
      ],
      tiers: {
        CRITICAL: { contactGroups: ["oncall"], channels: "phone", silenceSeconds: 300, targets: { queues: ["events"], webhooks: ["bridge"] } },
        WARN: { contactGroups: ["oncall", "owners"], channels: "sms", silenceSeconds: 600 },
        INFO: { contactGroups: ["owners"], channels: "chat", silenceSeconds: 3600 },
      },
      queues: [{ name: "events" }],
      webhooks: [{ name: "bridge", url: "https://hooks.example.com/x" }],
      automation: { scopeTag: { key: "managed", value: "yes" } },
    },
  };
}

type Mutation = (c: RawConfig) => void;
const v = (c: RawConfig) => c.values as any;

const cases: [string, Mutation, string, RegExp][] = [
  ["tier names an unknown contact group", (c) => v(c).tiers.WARN.contactGroups.push("nobody"), "event-ops:tiers.WARN.contactGroups[2]", /unknown contact group 'nobody'/],
  ["a tier is missing", (c) => delete v(c).tiers.INFO, "event-ops:tiers.INFO", /missing tier/],
  ["an unknown tier", (c) => (v(c).tiers.DEBUG = v(c).tiers.INFO), "event-ops:tiers.DEBUG", /unknown tier/],
  ["plaintext DingTalk webhook", (c) => (c.isSecret = () => false), "event-ops:contacts[1].dingtalkWebhook", /must be a Pulumi secret/],
  ["plaintext webhook URL", (c) => (c.isSecret = (p) => p.endsWith(".dingtalkWebhook")), "event-ops:webhooks[0].url", /must be a Pulumi secret/],
  ["duplicate group names", (c) => (v(c).groups = [{ name: "web" }, { name: "web", tagValue: "api" }]), "event-ops:groups", /duplicate group name 'web'/],
  ["group tag value not in the taxonomy", (c) => (v(c).groups = [{ name: "web" }, { name: "mobile" }]), "event-ops:groups[1].name", /not an allowed value of tag 'app'/],
  ["more than 5 contact groups on a tier", (c) => {
    v(c).contactGroups.push(...["a", "b", "c", "d", "e"].map((n) => ({ name: n, role: "sre", members: ["ann"] })));
    v(c).tiers.WARN.contactGroups = ["oncall", "a", "b", "c", "d", "e"];
  }, "event-ops:tiers.WARN.contactGroups", /at most 5 targets of one kind/],
  ["more than 5 queues on a tier", (c) => {
    v(c).queues = ["q1", "q2", "q3", "q4", "q5", "q6"].map((name) => ({ name }));
    v(c).tiers.CRITICAL.targets.queues = ["q1", "q2", "q3", "q4", "q5", "q6"];
  }, "event-ops:tiers.CRITICAL.targets.queues", /at most 5/],
  ["tier with no receiver", (c) => (v(c).tiers.INFO.contactGroups = []), "event-ops:tiers.INFO", /reaches nobody/],
  ["CRITICAL on chat only", (c) => (v(c).tiers.CRITICAL.channels = "chat"), "event-ops:tiers.CRITICAL.channels", /urgently/],
  ["unknown channel level", (c) => (v(c).tiers.WARN.channels = "pager"), "event-ops:tiers.WARN.channels", /one of: "phone", "sms", "chat"/],
  ["contact group member unknown", (c) => v(c).contactGroups[1].members.push("carol"), "event-ops:contactGroups[1].members[1]", /unknown contact 'carol'/],
  ["contact without a channel", (c) => v(c).contacts.push({ name: "dan" }), "event-ops:contacts[2]", /at least one channel/],
  ["queue target not declared", (c) => (v(c).tiers.WARN.targets = { queues: ["nope"] }), "event-ops:tiers.WARN.targets.queues[0]", /unknown queue 'nope'/],
  ["function target not deployed", (c) => {
    v(c).automation.handlers = ["spot-drain"];
    v(c).tiers.WARN.targets = { functions: ["expiry"] };
  }, "event-ops:tiers.WARN.targets.functions[0]", /not deployed/],
  ["unknown field (typo)", (c) => (v(c).tiers.WARN.silenceSecond = 5), "event-ops:tiers.WARN", /unknown field\(s\): silenceSecond/],
  ["unknown top-level key", (c) => (v(c).tier = {}), "event-ops:tier", /unknown key/],
  ["missing required key", (c) => delete v(c).contacts, "event-ops:contacts", /required key is missing/],
  ["missing region", (c) => (c.region = undefined), "alicloud:region", /required/],
  ["groupBy not a declared key", (c) => (v(c).tags.groupBy = "service"), "event-ops:tags.groupBy", /not a declared tag key/],
  ["scope tag value not allowed", (c) => (v(c).automation.scopeTag.value = "no"), "event-ops:automation.scopeTag.value", /not an allowed value/],
  ["event name not in the catalogue", (c) => (v(c).events = { names: ["Instance:Nope"] }), "event-ops:events.names[0]", /not in the event catalogue/],
  ["negative silence", (c) => (v(c).tiers.INFO.silenceSeconds = -1), "event-ops:tiers.INFO.silenceSeconds", /too small|>=0/i],
  ["half an SMS alert setup", (c) => (v(c).automation.alerts = { smsSignName: "Ops" }), "event-ops:automation.alerts", /both smsSignName and smsTemplateCode/],
  ["handler alerts that reach nobody", (c) => {
    v(c).tiers.CRITICAL.targets = { queues: ["events"] };
    v(c).automation.alerts = {};
  }, "event-ops:automation.alerts", /would reach nobody/],
  ["webhook that is not https", (c) => (v(c).webhooks[0].url = "http://x"), "event-ops:webhooks[0].url", /https:\/\//],
  // R11: the region becomes part of API host names.
  ["a region that is a host name", (c) => (c.region = "evil.com/#"), "alicloud:region", /not a region ID/],
  ["a region with upper case", (c) => (c.region = "CN-Hangzhou"), "alicloud:region", /not a region ID/],
  ["a tag-policy region that is not a region ID", (c) => (v(c).account = { tagPolicyRegion: "x@127.0.0.1" }), "event-ops:account.tagPolicyRegion", /region ID/],
  ["a preset-tag region that is not a region ID", (c) => (v(c).account = { tagMetaRegion: "" }), "event-ops:account.tagMetaRegion", /region ID/],
  // S5: products by CloudMonitor code; the stack's dynamic tag groups hold ECS, RDS and SLB only.
  ["a product a dynamic tag group cannot hold", (c) => (v(c).events = { products: ["ECS", "Redis"] }), "event-ops:events.products[1]", /ECS, RDS, SLB resources only/],
  ["a product code of the wrong shape", (c) => (v(c).events = { products: ["ecs events"] }), "event-ops:events.products[0]", /product code/],
  ["a product listed twice", (c) => (v(c).events = { products: ["ECS", "ecs"] }), "event-ops:events.products", /listed twice/],
  ["more than 50 names for one pattern", (c) => (v(c).events = { names: CATALOGUE.map((e) => `${e.resource}:${e.event}`) }), "event-ops:events.names", /at most 50/],
  // S16: the provider's values.
  ["contact language zh_CN", (c) => (v(c).contacts[0].lang = "zh_CN"), "event-ops:contacts[0].lang", /"en", "zh-cn"/],
  ["memory not a multiple of 64 MB", (c) => (v(c).automation.memoryMB = 300), "event-ops:automation.memoryMB", /multiple of 64/],
  ["vCPU not a multiple of 0.05", (c) => (v(c).automation.cpu = 0.12), "event-ops:automation.cpu", /multiple of 0.05/],
  ["vCPU above 1:1 of memory", (c) => Object.assign(v(c).automation, { memoryMB: 512, cpu: 1 }), "event-ops:automation.cpu", /between 1:1 and 1:4.*0.15–0.5/],
  ["vCPU below 1:4 of memory", (c) => Object.assign(v(c).automation, { memoryMB: 4096, cpu: 0.5 }), "event-ops:automation.cpu", /between 1:1 and 1:4/],
  ["a disk size FC does not offer", (c) => (v(c).automation.diskSizeMB = 1024), "event-ops:automation.diskSizeMB", /512|10240/],
  // S11: SSE only as MNS takes it.
  ["KMS encryption without a key", (c) => (v(c).queueEncryption = { type: "KMS" }), "event-ops:queueEncryption.kmsKeyId", /required with type KMS/],
  ["a key without KMS", (c) => (v(c).queueEncryption = { type: "SMQ", kmsKeyId: "k" }), "event-ops:queueEncryption.kmsKeyId", /only used with type KMS/],
  // S12: the account taxonomy covers this stack's own.
  ["a stack value missing from the account taxonomy", (c) => (v(c).account = { resources: true, tags: { app: { values: ["web"] }, managed: { values: ["yes"] } } }), "event-ops:account.tags.app.values", /'api' .* missing from the account taxonomy/],
  ["a stack key missing from the account taxonomy", (c) => (v(c).account = { tags: { app: { values: ["web", "api"] } } }), "event-ops:account.tags", /tag key 'managed'/],
  // S6 and the provider's name rules, for names derived from the prefix and stack.
  ["a stack name that makes an invalid bucket name", (c) => (c.stack = "Prod_1"), "event-ops:namePrefix", /OSS bucket name 'eventops-Prod_1-markers-.*' .* lower-case/],
  ["a prefix and stack too long for a global name", (c) => {
    c.stack = "x".repeat(35);
    v(c).namePrefix = "abcdefghijklmno";
  }, "event-ops:namePrefix", /3–63/],
  ["a contact name longer than 40 with the stack", (c) => (v(c).contacts[0].name = "a".repeat(30)), "event-ops:contacts[0].name", /2–40 characters/],
];

describe("config validation", () => {
  it("accepts the base config and derives one group per tag value", () => {
    const result = validateConfig(base());
    assert.ok(result.ok, JSON.stringify(!result.ok && result.issues));
    assert.deepEqual(result.config.groups.map((g) => [g.name, g.tagValue]), [["web", "web"], ["api", "api"]]);
    assert.equal(result.config.tiers.CRITICAL.silenceSeconds, 300);
  });

  for (const [title, mutate, path, message] of cases) {
    it(`rejects: ${title}`, () => {
      const raw = base();
      mutate(raw);
      const result = validateConfig(raw);
      assert.equal(result.ok, false, "expected the config to be rejected");
      if (result.ok) return;
      const hit = result.issues.find((i) => i.path === path && message.test(i.message));
      assert.ok(hit, `no issue at ${path} matching ${message}; got:\n${result.issues.map((i) => `${i.path}: ${i.message}`).join("\n")}`);
    });
  }

  it("fills the account, encryption and sizing defaults from the sources", () => {
    const result = validateConfig(base());
    assert.ok(result.ok);
    assert.deepEqual(result.config.account, { resources: false, tagMetaRegion: "cn-hangzhou", tagPolicyRegion: "cn-shanghai", checkAuthorizations: true });
    assert.deepEqual(result.config.queueEncryption, { type: "none" });
    assert.equal(result.config.automation?.diskSizeMB, 512);
    assert.equal(result.config.contacts[0].lang, "en");
    assert.deepEqual(result.config.events.products, ["ECS"]);
  });

  it("accepts RDS and SLB products, a fitting vCPU, zh-cn and KMS with a key", () => {
    const raw = base();
    v(raw).events = { products: ["ECS", "RDS", "SLB"] };
    Object.assign(v(raw).automation, { memoryMB: 1024, cpu: 0.25 });
    v(raw).contacts[0].lang = "zh-cn";
    v(raw).queueEncryption = { type: "KMS", kmsKeyId: "key-1" };
    const result = validateConfig(raw);
    assert.ok(result.ok, JSON.stringify(!result.ok && result.issues));
  });

  it("lists every problem at once, across keys", () => {
    const raw = base();
    v(raw).tiers.WARN.contactGroups.push("nobody");
    v(raw).contacts.push({ name: "dan" });
    raw.isSecret = () => false;
    const result = validateConfig(raw);
    assert.equal(result.ok, false);
    if (result.ok) return;
    const paths = result.issues.map((i) => i.path);
    for (const p of ["event-ops:tiers.WARN.contactGroups[2]", "event-ops:contacts[2]", "event-ops:contacts[1].dingtalkWebhook", "event-ops:webhooks[0].url"]) {
      assert.ok(paths.includes(p), `missing ${p} in ${paths.join(", ")}`);
    }
  });
});

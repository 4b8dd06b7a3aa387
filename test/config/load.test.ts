// loadStackConfig takes its secret check as a parameter: the real-Pulumi
// default judges a path by its top-level key (what the CLI marks secret), the
// offline plan passes the exact `secure:` paths of the stack file.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as runtimeConfig from "@pulumi/pulumi/runtime/config";
import { ConfigError, loadStackConfig, pulumiSecretCheck } from "../../infra/config/load";
import { StackConfigFiles, readStackConfig } from "../../tools/plan/stack-config";
import { stackVariant } from "../plan/helpers";

const PLAIN_WEBHOOK = "https://oapi.dingtalk.com/robot/send?access_token=abc";

describe("loadStackConfig's secret check", () => {
  let dir: string;
  let files: StackConfigFiles;
  let roomPath: string;
  before(() => {
    // prod with one of two DingTalk webhooks in plain text: `event-ops:contacts` still holds a secret.
    const variant = stackVariant("prod", (c) => {
      c["event-ops:contacts"].find((x: { name: string }) => x.name === "ops-room").dingtalkWebhook = PLAIN_WEBHOOK;
    });
    dir = variant.dir;
    files = readStackConfig(variant.dir, variant.stack);
    const roomIndex = (JSON.parse(files.config["event-ops:contacts"]) as { name: string }[]).findIndex((x) => x.name === "ops-room");
    roomPath = `event-ops:contacts[${roomIndex}].dingtalkWebhook`;
    runtimeConfig.setAllConfig(files.config, files.secretKeys);
  });
  after(() => {
    runtimeConfig.setAllConfig({}, []);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("defaults to the Pulumi runtime's view: a key holding any secret is secret as a whole", () => {
    assert.ok(files.secretKeys.includes("event-ops:contacts"));
    assert.equal(pulumiSecretCheck(roomPath), true);
    assert.equal(pulumiSecretCheck("event-ops:tiers"), false);
    const config = loadStackConfig();
    assert.equal(config.contacts.find((c) => c.name === "ops-room")?.dingtalkWebhook, PLAIN_WEBHOOK);
  });

  it("uses the check it is given: exact secret paths reject the plain webhook, naming its path", () => {
    assert.ok(!files.secretPaths.has(roomPath) && files.secretPaths.size > 0);
    assert.throws(
      () => loadStackConfig({ isSecret: (p) => files.secretPaths.has(p) }),
      (e: unknown) => e instanceof ConfigError && e.issues.length === 1 && e.issues[0].path === roomPath && /must be a Pulumi secret/.test(e.issues[0].message),
    );
  });
});

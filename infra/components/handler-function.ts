// One event handler deployed as a Function Compute 3.0 function: its bundle
// with a content checksum, a role whose policy lists only the actions the
// handler calls, logs, and a dead-letter destination for what fails for good.
import * as pulumi from "@pulumi/pulumi";
import * as alicloud from "@pulumi/alicloud";
import { HandlerName } from "../../handlers/catalogue";
import type { BatchWindow } from "../../handlers/contract";
import { HandlerBundle, zipBase64 } from "../automation/bundles";
import { EVENTBRIDGE_TRIGGER_TYPE, QUEUE_TRIGGER_NAME, mnsQueueArn, queueTriggerConfig } from "../automation/queue-trigger";
import { FC_ASSUME_ROLE_POLICY, handlerPolicyDescription, handlerPolicyDocument } from "../automation/role-policy";
import { ResourceTags } from "./resource-tags";

export interface HandlerFunctionArgs {
  /** Catalogue handler name, e.g. `spot-drain`. */
  readonly handler: HandlerName;
  /** The handler's zip, checksums and RAM actions (`npm run bundle`, read with infra/automation/bundles.ts readBundles). */
  readonly bundle: HandlerBundle;
  /** Function Compute 3.0 function name. */
  readonly functionName: string;
  /** RAM role the function runs as (at most 64 characters). */
  readonly roleName: string;
  /** Region of the function, its queues and topic, e.g. `cn-hangzhou`. */
  readonly region: string;
  /** Account that owns the function and its resources (in the role policy's ARNs). */
  readonly accountId: pulumi.Input<string>;
  /** OSS bucket of the idempotency markers. */
  readonly markerBucket: pulumi.Input<string>;
  /** Object prefixes in that bucket the handler may read and write. */
  readonly objectPrefixes: readonly string[];
  /** The handlers' scope tag: the role may act on ECS instances only when they carry it (`acs:ResourceTag/<key>`). */
  readonly scopeTag?: { readonly key: string; readonly value: string };
  /** A timer that invokes the function with a fixed payload (reconcilers, scans). */
  readonly schedule?: { readonly cron: string; readonly payload: string };
  /**
   * The MNS queue the handler's events arrive on (CloudMonitor → queue → this trigger → the
   * function, in batches), the queue its failed batches go to, and the batch window.
   */
  readonly queueTrigger?: {
    readonly queueName: pulumi.Input<string>;
    readonly deadLetterQueueName: pulumi.Input<string>;
    readonly window: BatchWindow;
  };
  /** MNS queue the function dead-letters to, and where failed async invocations go. */
  readonly deadLetterQueue: pulumi.Input<string>;
  /** MNS topic the handler publishes its own CRITICAL alerts to. */
  readonly alertTopic: pulumi.Input<string>;
  /** Log Service project of the function's logs. */
  readonly logProject: pulumi.Input<string>;
  /** Log store of the function's logs. */
  readonly logStore: pulumi.Input<string>;
  /** Function Compute timeout, seconds. */
  readonly timeoutSeconds: pulumi.Input<number>;
  /** Function memory, MB: a multiple of 64, 128–32768 (fc/v3function.d.ts). */
  readonly memoryMB: pulumi.Input<number>;
  /** vCPUs: a multiple of 0.05, with vCPU:GB between 1:1 and 1:4 of `memoryMB` (fc/v3function.d.ts). Set explicitly, so the ratio is checkable before apply. */
  readonly cpu: pulumi.Input<number>;
  /** Disk, MB: 512 or 10240 (fc/v3function.d.ts `diskSize`). */
  readonly diskSizeMB: pulumi.Input<number>;
  /** Resources the function waits for beyond its role, e.g. the log store's index (so its first logs are queryable). */
  readonly dependsOn?: readonly pulumi.Resource[];
  /** Handler settings (see handlers/README.md for the contract). */
  readonly environment: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Tags of the function. */
  readonly tags: ResourceTags;
}

/** The action Function Compute needs to write a function's logs (the SLS PutLogs API's RAM action). */
export const FC_LOG_DELIVERY_ACTIONS = ["log:PostLogStoreLogs"] as const;

/** The log-delivery policy of a function role: writing to one log store only. */
export function functionLogsPolicyDocument(p: { region: string; accountId: string; project: string; store: string }): string {
  return JSON.stringify({
    Version: "1",
    Statement: [{ Effect: "Allow", Action: [...FC_LOG_DELIVERY_ACTIONS], Resource: [`acs:log:${p.region}:${p.accountId}:project/${p.project}/logstore/${p.store}`] }],
  });
}

export class HandlerFunction extends pulumi.ComponentResource {
  /** Name of the function. */
  readonly functionName: pulumi.Output<string>;
  /** ARN of the role it runs as. */
  readonly roleArn: pulumi.Output<string>;

  constructor(name: string, args: HandlerFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
    // The handler name is a component input so policies can tell which handler a role serves.
    super("eventops:index:HandlerFunction", name, { handler: args.handler }, opts);
    const role = new alicloud.ram.Role(
      `${name}-role`,
      { roleName: args.roleName, assumeRolePolicyDocument: FC_ASSUME_ROLE_POLICY, description: `Function Compute handler ${args.handler}` },
      { parent: this },
    );
    const document = pulumi
      .all([args.accountId, args.markerBucket, args.deadLetterQueue, args.alertTopic])
      .apply(([accountId, markerBucket, deadLetterQueue, alertTopic]) =>
        handlerPolicyDocument({ actions: args.bundle.ramActions, region: args.region, accountId, markerBucket, objectPrefixes: [...args.objectPrefixes], deadLetterQueue, alertTopic, scopeTag: args.scopeTag }),
      );
    const policy = new alicloud.ram.Policy(
      `${name}-policy`,
      { policyName: `${args.roleName}-policy`, policyDocument: document, description: handlerPolicyDescription(args.handler, args.bundle.ramActions) },
      { parent: this },
    );
    const attachment = new alicloud.ram.RolePolicyAttachment(
      `${name}-attachment`,
      { roleName: role.roleName, policyName: policy.policyName, policyType: "Custom" },
      { parent: this },
    );
    // Function Compute writes the function's logs with the function's role ("授予函数计算所需权限的
    // RAM role … 把 function 产生的 log 发送到用户的 logstore 中", Serverless Devs FC service.role; TF
    // fc_function example attaches AliyunLogFullAccess): a platform action, not the handler's, so
    // its own policy, on this stack's store only.
    const logsPolicy = new alicloud.ram.Policy(
      `${name}-logs-policy`,
      {
        policyName: `${args.roleName}-logs`,
        policyDocument: pulumi
          .all([args.accountId, args.logProject, args.logStore])
          .apply(([uid, project, store]) => functionLogsPolicyDocument({ region: args.region, accountId: uid, project, store })),
        description: `Function Compute delivers the logs of ${args.handler} to its log store`,
      },
      { parent: this },
    );
    const logsAttachment = new alicloud.ram.RolePolicyAttachment(
      `${name}-logs-attachment`,
      { roleName: role.roleName, policyName: logsPolicy.policyName, policyType: "Custom" },
      { parent: this },
    );
    const fn = new alicloud.fc.V3Function(
      name,
      {
        functionName: args.functionName,
        description: `Event handler ${args.handler} (bundle sha256 ${args.bundle.sha256.slice(0, 12)})`,
        // The newest Node.js runtime FC 3.0 offers (FC 3.0 "Runtime overview": nodejs20, nodejs18, ...;
        // https://help.aliyun.com/zh/functioncompute/fc-3-0/user-guide/runtime-overview-3); the bundles
        // target node20 to match (tools/bundle.ts). The tools' own Node (.nvmrc) is separate.
        runtime: "nodejs20",
        handler: "index.handler",
        // The checksum changes with the content, so a code change always updates the function.
        code: { zipFile: zipBase64(args.bundle), checksum: args.bundle.crc64 },
        role: role.arn,
        timeout: args.timeoutSeconds,
        memorySize: args.memoryMB,
        cpu: args.cpu,
        diskSize: args.diskSizeMB,
        instanceConcurrency: 1,
        environmentVariables: args.environment,
        logConfig: { project: args.logProject, logstore: args.logStore, enableRequestMetrics: true, enableInstanceMetrics: true },
        tags: args.tags,
      },
      { parent: this, dependsOn: [attachment, logsAttachment, ...(args.dependsOn ?? [])] },
    );
    new alicloud.fc.V3AsyncInvokeConfig(
      `${name}-async`,
      {
        functionName: fn.functionName as pulumi.Output<string>,
        // The handler retries API calls itself and dead-letters what it rejects or fails; it throws only
        // when that dead letter cannot be written, after releasing its claim: FC's retries then take the
        // event over at once (released claims are taken over, core/idempotency.ts), with FC's default 3
        // (FC "Retry policies": HandledInvocationError/UnhandledInvocationError, 3 retries by default).
        // A crashed invocation's retry meets a live lease and is a duplicate: the sweeper (runtime/sweeper.ts)
        // resumes it once the lease (timeout + 60 s) ends; handlers/README.md "Crash recovery" states the bound.
        maxAsyncRetryAttempts: 3,
        maxAsyncEventAgeInSeconds: 3600,
        destinationConfig: {
          onFailure: { destination: pulumi.interpolate`acs:mns:${args.region}:${args.accountId}:/queues/${args.deadLetterQueue}/messages` },
        },
      },
      { parent: this },
    );
    if (args.schedule) {
      new alicloud.fc.V3Trigger(
        `${name}-timer`,
        {
          functionName: fn.functionName as pulumi.Output<string>,
          qualifier: "LATEST",
          triggerName: "timer",
          triggerType: "timer",
          triggerConfig: JSON.stringify({ cronExpression: args.schedule.cron, enable: true, payload: args.schedule.payload }),
          description: `Periodic run of ${args.handler}`,
        },
        { parent: this },
      );
    }
    if (args.queueTrigger) {
      const t = args.queueTrigger;
      new alicloud.fc.V3Trigger(
        `${name}-queue`,
        {
          functionName: fn.functionName as pulumi.Output<string>,
          qualifier: "LATEST",
          triggerName: QUEUE_TRIGGER_NAME,
          triggerType: EVENTBRIDGE_TRIGGER_TYPE,
          triggerConfig: pulumi
            .all([args.accountId, t.queueName, t.deadLetterQueueName])
            .apply(([uid, queueName, dlq]) => JSON.stringify(queueTriggerConfig({ region: args.region, queueName, deadLetterQueueArn: mnsQueueArn(args.region, uid, dlq), window: t.window }))),
          description: `Batches of ${args.handler} events from its MNS queue`,
        },
        { parent: this },
      );
    }
    this.functionName = fn.functionName as pulumi.Output<string>;
    this.roleArn = role.arn;
    this.registerOutputs({ functionName: this.functionName, roleArn: this.roleArn });
  }
}

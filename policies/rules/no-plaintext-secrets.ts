// no-plaintext-secrets: credentials never sit in resource properties as plain
// values (state, previews and logs would show them); Pulumi secrets are fine.
// Messages name the property path and the kind of secret, never the value.
import { Finding, PolicyResourceLike, PolicyRule } from "../model";
import { isSecret, isUnknown } from "../values";

/** Property names whose string value is a credential whatever it looks like. */
const SENSITIVE_KEY = /(secret|password|passwd|token|webhook|access_?key|private_?key|credential)/i;
/** Names, IDs and switches about a secret are not the secret (`webhookParametersId`, `accessKeyId` is caught by its value). */
const NOT_A_SECRET_KEY = /(Id|Ids|Name|Names|Enabled|Type|Arn)$/;
/** Properties that are bulk content, not configuration (a handler's zipped code). */
const SKIP_KEYS = new Set(["zipFile", "checksum"]);
/** Secret-looking names that are not credentials, by resource type: a log index's `token` is its delimiter set (log/storeIndex.d.ts). */
const NOT_A_SECRET_BY_TYPE: Record<string, Set<string>> = { "alicloud:log/storeIndex:StoreIndex": new Set(["token"]) };

const VALUE_PATTERNS: { kind: string; test: RegExp }[] = [
  { kind: "a DingTalk/webhook access token", test: /access_token=/i },
  { kind: "an AccessKey ID", test: /\bLTAI[0-9A-Za-z]{12,30}\b/ },
  { kind: "a URL carrying a credential", test: /https?:\/\/[^\s]*[?&](token|key|secret|sign|signature|sig|password)=/i },
];

export const noPlaintextSecrets: PolicyRule = {
  id: "no-plaintext-secrets",
  displayName: "No credential as a plain property value",
  severity: "critical",
  enforcement: "mandatory",
  description:
    "No resource property holds a credential as a plain value: DingTalk/webhook URLs with tokens, AccessKey IDs (LTAI…), or any " +
    "value of a secret-named field (`accessKeySecret`, `password`, `token`, `...WebHook`). Values that are Pulumi secrets pass.",
  remediation:
    "Set the value with `pulumi config set --secret` and wrap it with `pulumi.secret()` where it reaches a resource " +
    "(as infra/components/contacts.ts and infra/alerting/event-rule.ts do).",
  check(resources) {
    return resources.flatMap((r) => plaintextSecrets(r));
  },
};

export function plaintextSecrets(resource: PolicyResourceLike): Finding[] {
  const out: Finding[] = [];
  const visit = (v: unknown, path: string, key: string, underWebhook: boolean) => {
    if (isSecret(v) || isUnknown(v) || SKIP_KEYS.has(key)) return;
    if (Array.isArray(v)) return v.forEach((x, i) => visit(x, `${path}[${i}]`, key, underWebhook));
    if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) visit(x, path ? `${path}.${k}` : k, k, underWebhook || /webhook/i.test(k));
      return;
    }
    if (typeof v !== "string" || v === "") return;
    const pattern = VALUE_PATTERNS.find((p) => p.test.test(v));
    const namedSecret = SENSITIVE_KEY.test(key) && !NOT_A_SECRET_KEY.test(key) && !NOT_A_SECRET_BY_TYPE[resource.type]?.has(key);
    const kind = pattern?.kind ?? (namedSecret ? `a value of the secret field "${key}"` : underWebhook && key === "url" ? "a webhook URL" : undefined);
    if (kind) out.push({ resource, message: `${resource.type.split(":").pop()} ${resource.name}: ${path} holds ${kind} as a plain value` });
  };
  visit(resource.props, "", "", false);
  return out;
}

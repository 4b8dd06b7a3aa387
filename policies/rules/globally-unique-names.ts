// globally-unique-names: OSS bucket and SLS project names are unique across all
// of Alibaba Cloud, so a fixed name collides with any other account (or stack)
// using the same defaults. Each must carry a part no one else has: the hex or
// output of a random.RandomId of at least 4 bytes in this stack, or the account ID.
import { Finding, PolicyResourceLike, PolicyRule } from "../model";
import { StackIndex, T } from "../stack";
import { isUnknown, text } from "../values";
import { Fact, SOURCE, broken, unverified } from "./provider-facts";

interface GlobalName {
  type: string;
  prop: string;
  source: string;
}

export const GLOBAL_NAMES: readonly GlobalName[] = [
  { type: T.bucket, prop: "bucket", source: SOURCE.ossBucketNaming },
  { type: T.logProject, prop: "projectName", source: SOURCE.tfLogProject },
];

/** Shortest random part that counts: 4 bytes (8 hex digits), one in 4 billion — the project's choice, not a cloud rule. */
export const MIN_RANDOM_HEX = 8;

/** The random parts a name may carry: each RandomId's hex output (offline: the plan's stand-in; CrossGuard: known after its create). */
function randomParts(index: StackIndex): { parts: string[]; someUnknown: boolean } {
  const parts: string[] = [];
  let someUnknown = false;
  for (const id of index.ofType(T.randomId)) {
    const hex = id.props.hex;
    if (isUnknown(hex)) someUnknown = true;
    else if ((text(hex) ?? "").length >= MIN_RANDOM_HEX) parts.push(text(hex)!);
  }
  return { parts, someUnknown };
}

export const globallyUniqueNames: PolicyRule = {
  id: "globally-unique-names",
  displayName: "Globally unique names carry a unique part",
  severity: "high",
  enforcement: "mandatory",
  description:
    "OSS bucket and SLS project names are global across Alibaba Cloud: each contains the hex output of a random.RandomId " +
    "of at least 4 bytes declared in this stack, or the account ID, so two accounts or two stacks never ask for the same name. " +
    "A fixed literal name fails.",
  remediation:
    "Build the name with a RandomId suffix, e.g. `pulumi.interpolate`${stem}-${suffix.hex}`` with " +
    "`new random.RandomId(\"…-suffix\", { byteLength: 4 })`, kept stable (never replaced: a new suffix replaces the bucket).",
  sources: [SOURCE.ossBucketNaming, SOURCE.tfLogProject, SOURCE.randomId],
  check(resources, context) {
    const index = StackIndex.of(resources);
    const random = randomParts(index);
    const findings: Finding[] = [];
    for (const g of GLOBAL_NAMES) {
      const fact: Fact = { says: `${g.prop} is unique across all of Alibaba Cloud, so it must contain the hex of a random.RandomId (≥ 4 bytes) of this stack or the account ID`, source: `${g.source}; ${SOURCE.randomId}` };
      for (const r of index.ofType(g.type)) findings.push(...judge(r, g.prop, fact, random, context.accountId));
    }
    return findings;
  },
};

function judge(r: PolicyResourceLike, prop: string, fact: Fact, random: { parts: string[]; someUnknown: boolean }, accountId: string | undefined): Finding[] {
  const value = r.props[prop];
  if (isUnknown(value)) return [unverified(r, prop, fact)];
  const name = text(value);
  if (!name) return [unverified(r, prop, fact, `${prop} is not set (a name is generated at apply)`)];
  if (random.parts.some((p) => name.includes(p))) return [];
  if (accountId && name.includes(accountId)) return [];
  // Alibaba Cloud account IDs are 16 digits; without the ID in hand, such a run may be it.
  if (!accountId && /\d{16}/.test(name)) return [unverified(r, `that ${prop} ${JSON.stringify(name)} contains the account ID`, fact, "the account ID is not known here")];
  if (random.someUnknown) return [unverified(r, `that ${prop} ${JSON.stringify(name)} carries a random suffix`, fact, "a RandomId output is unknown until apply")];
  return [broken(r, `${prop} is ${JSON.stringify(name)}, which contains no RandomId hex${accountId ? " and not the account ID" : ""}`, fact)];
}

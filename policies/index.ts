// The CrossGuard policy pack: `pulumi preview --policy-pack policies`.
// Rules live in rules/ (one per file, metadata beside the rule); crossguard.ts
// wires them; the offline plan runs the same rules through evaluate.ts.
import { PolicyPack } from "@pulumi/policy";
import { packPolicies } from "./crossguard";

new PolicyPack("eventops-coverage", { policies: packPolicies() });

// fc-memory-cpu: an FC 3.0 function's size is a combination the service
// accepts: memory a multiple of 64 MB from 128 MB to 32 GB, vCPU a multiple of
// 0.05 from 0.05 to 16, vCPU:GB between 1:1 and 1:4, disk 512 or 10240 MB.
import { Finding, PolicyResourceLike, PolicyRule } from "../model";
import { StackIndex, T } from "../stack";
import { isUnknown } from "../values";
import { Fact, SOURCE, broken, unverified } from "./provider-facts";

const SOURCES = `${SOURCE.fcCreateFunctionInput}; ${SOURCE.ptV3Function}`;
const MEMORY: Fact = { says: "memorySize must be a multiple of 64 MB from 128 MB to 32 GB (32768 MB)", source: SOURCES };
const CPU: Fact = { says: "cpu must be a multiple of 0.05 vCPU from 0.05 to 16", source: `${SOURCES}; ${SOURCE.tfV3Function}` };
const RATIO: Fact = { says: "cpu to memorySize in GB must be between 1:1 and 1:4 (memory/4 ≤ cpu ≤ memory, in GB)", source: SOURCES };
const DISK: Fact = { says: "diskSize must be 512 or 10240 MB", source: SOURCES };

/** Multiple of `step` within floating-point noise (0.35 * 20 is 6.999…). */
const multipleOf = (v: number, step: number) => Math.abs(v / step - Math.round(v / step)) < 1e-9;

export const fcMemoryCpu: PolicyRule = {
  id: "fc-memory-cpu",
  displayName: "Function Compute sizes are combinations the service accepts",
  severity: "high",
  enforcement: "mandatory",
  description:
    "Each fc.V3Function's memorySize is a multiple of 64 MB between 128 MB and 32 GB, its cpu a multiple of 0.05 vCPU " +
    "between 0.05 and 16, cpu:memory(GB) between 1:1 and 1:4, and diskSize 512 or 10240 MB. With only one of memory and " +
    "cpu set, the service picks the other and the ratio cannot be checked: set both.",
  remediation: "Set `automation.memoryMB`, `automation.cpu` and `automation.diskSizeMB` in the stack config to an accepted combination, e.g. 256 MB with 0.25 vCPU, 512 MB with 0.35, 1024 MB with 1.",
  sources: [SOURCE.fcCreateFunctionInput, SOURCE.ptV3Function, SOURCE.tfV3Function],
  check(resources) {
    return StackIndex.of(resources).ofType(T.fcFunction).flatMap(sizeFindings);
  },
};

function sizeFindings(fn: PolicyResourceLike): Finding[] {
  const findings: Finding[] = [];
  const { memorySize: memory, cpu, diskSize: disk } = fn.props;
  const num = (v: unknown) => (typeof v === "number" ? v : undefined);
  if (isUnknown(memory)) findings.push(unverified(fn, "memorySize", MEMORY));
  else if (memory !== undefined && memory !== null) {
    const m = num(memory);
    if (m === undefined || !Number.isInteger(m) || m % 64 !== 0 || m < 128 || m > 32768) findings.push(broken(fn, `memorySize is ${JSON.stringify(memory)}`, MEMORY));
  }
  if (isUnknown(cpu)) findings.push(unverified(fn, "cpu", CPU));
  else if (cpu !== undefined && cpu !== null) {
    const c = num(cpu);
    if (c === undefined || c < 0.05 || c > 16 || !multipleOf(c, 0.05)) findings.push(broken(fn, `cpu is ${JSON.stringify(cpu)}`, CPU));
  }
  const m = num(memory);
  const c = num(cpu);
  if (m !== undefined && c !== undefined) {
    const gb = m / 1024;
    if (c < gb / 4 - 1e-9 || c > gb + 1e-9) findings.push(broken(fn, `cpu ${c} with memorySize ${m} MB (${gb} GB) is 1:${(gb / c).toFixed(2)}`, RATIO));
  } else if ((m === undefined) !== (c === undefined) && !isUnknown(memory) && !isUnknown(cpu)) {
    findings.push(unverified(fn, "the cpu:memory ratio", RATIO, `only ${m === undefined ? "cpu" : "memorySize"} is set (the service picks the other)`));
  }
  if (isUnknown(disk)) findings.push(unverified(fn, "diskSize", DISK));
  else if (disk !== undefined && disk !== null && disk !== 512 && disk !== 10240) findings.push(broken(fn, `diskSize is ${JSON.stringify(disk)}`, DISK));
  return findings;
}

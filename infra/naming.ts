// Cloud resource names: deterministic and stack-scoped, so two environments of
// the same account never collide and a re-run never renames anything.

export interface Naming {
  prefix: string;
  stack: string;
}

export function stackNaming(config: { namePrefix: string; stack: string }): Naming {
  return { prefix: config.namePrefix, stack: config.stack };
}

/**
 * `eventops-prod-checkout`: the stem every name of this stack starts with. A
 * group's tier rules append their level to its stem (alerting/tier-template.ts).
 */
export function stem(n: Naming, ...parts: string[]): string {
  return [n.prefix, n.stack, ...parts].join("-");
}

export function automationRuleName(n: Naming, handler: string): string {
  return stem(n, "auto", handler);
}

export function queueName(n: Naming, queue: string): string {
  return stem(n, queue);
}

export function deadLetterQueueName(n: Naming, queue: string): string {
  return stem(n, queue, "dlq");
}

export function contactGroupName(n: Naming, group: string): string {
  return stem(n, group);
}

/** CMS alarm contacts are account-wide: the stack goes into the name too. */
export function contactName(n: Naming, contact: string): string {
  return stem(n, contact);
}

export function functionName(n: Naming, handler: string): string {
  return stem(n, handler);
}

/** RAM names allow letters, digits, '-' and at most 64 characters. */
export function roleName(n: Naming, handler: string): string {
  return stem(n, handler).slice(0, 64);
}

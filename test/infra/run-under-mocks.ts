// Runs a Pulumi program under the offline plan's mocks (tools/plan/mocks.ts:
// every registration recorded with its URN and parent, unknown invokes refused)
// and prints what it registered as JSON. A child process per program, since
// mocks are process-global. Usage: run-under-mocks.ts <program> <project> <stack>
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { installMocks } from "../../tools/plan/mocks";

async function main([program, project, stack]: string[]): Promise<void> {
  const rec = installMocks(project, stack);
  const failures: unknown[] = [];
  process.on("unhandledRejection", (e) => failures.push(e));
  await pulumi.runtime.runInPulumiStack(async () => {
    rec.recordPlacement();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(path.resolve(program));
  });
  await (pulumi.runtime as unknown as { disconnect(): Promise<void> }).disconnect();
  if (failures.length > 0) throw failures[0];
  process.stdout.write(JSON.stringify({ project, stack, resources: rec.resources, invokes: rec.invokes, outputs: {} }));
}

main(process.argv.slice(2)).catch((e) => {
  console.error(e instanceof Error ? e.stack ?? e.message : e);
  process.exit(1);
});

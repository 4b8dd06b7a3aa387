// Standalone launcher for manual use and drills:
//   npx ts-node --transpile-only local-cloud/serve.ts [--port 8080] [--seed]
// Runs on the system clock, prints the URL and the environment to export.
import { endpointEnv, startFakeCloud, systemClock } from "./index";

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const portArg = args.indexOf("--port");
  const port = portArg >= 0 ? Number(args[portArg + 1]) : 0;
  const fake = await startFakeCloud({ clock: systemClock, port });
  if (args.includes("--seed")) {
    const a = fake.state.addInstance({ InstanceName: "web-1", Tags: { app: "web" } });
    const b = fake.state.addInstance({ InstanceName: "web-2", Tags: { app: "web" }, SpotStrategy: "SpotAsPriceGo" });
    fake.state.addLoadBalancer({ BackendServers: [{ ServerId: a.InstanceId }, { ServerId: b.InstanceId }] });
    fake.state.addQueue("cms-events");
    fake.routeSystemEventsToQueue("cms-events");
  }
  fake.onSystemEvent((e) => console.log(`[event] ${e.name} ${JSON.stringify(e.content)}`));
  console.log(fake.url);
  for (const [k, v] of Object.entries(endpointEnv(fake))) console.log(`export ${k}=${v}`);
  const stop = (): void => void fake.close().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

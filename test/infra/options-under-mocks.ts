// Declares one component under Pulumi mocks and prints, per registration, what the
// offline plan does not record: its explicit provider (and that provider's region)
// and its deleteBeforeReplace option. A child process, since mocks are process-global.
// Usage: options-under-mocks.ts tag-taxonomy
import * as pulumi from "@pulumi/pulumi";

interface Seen {
  type: string;
  name: string;
  provider?: string;
  region?: string;
  deleteBeforeReplace?: boolean;
}

async function main(which: string): Promise<void> {
  const seen: Seen[] = [];
  const providers = new Map<string, string>(); // provider resource id → region
  const options = new Map<string, boolean | undefined>();
  pulumi.runtime.setMocks(
    {
      newResource(args) {
        if (args.type.startsWith("pulumi:providers:")) {
          providers.set(`${args.name}-id`, String(args.inputs.region));
          return { id: `${args.name}-id`, state: args.inputs };
        }
        const ref = args.provider ? args.provider.slice(args.provider.lastIndexOf("::") + 2) : undefined;
        seen.push({ type: args.type, name: args.name, ...(ref ? { provider: ref, region: providers.get(ref) } : {}), deleteBeforeReplace: options.get(`${args.type}::${args.name}`) });
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call: () => ({}),
    },
    "event-ops",
    "test",
    false,
  );
  await pulumi.runtime.runInPulumiStack(async () => {
    pulumi.runtime.registerStackTransformation((a) => {
      options.set(`${a.type}::${a.name}`, (a.opts as pulumi.CustomResourceOptions).deleteBeforeReplace);
      return undefined;
    });
    if (which !== "tag-taxonomy") throw new Error(`unknown component ${which}`);
    const { TagTaxonomy } = await import("../../infra/components/tag-taxonomy");
    new TagTaxonomy("taxonomy", {
      keys: { app: { values: ["web"] }, env: { values: ["prod", "dev"] } },
      policyName: "eventops_account_tags",
      policyDescription: "test",
      accountId: "1000000000000000",
      metaTagRegion: "cn-hangzhou",
      policyRegion: "ap-southeast-1",
    });
  });
  await (pulumi.runtime as unknown as { disconnect(): Promise<void> }).disconnect();
  process.stdout.write(JSON.stringify(seen));
}

main(process.argv[2]).catch((e) => {
  console.error(e instanceof Error ? e.stack ?? e.message : e);
  process.exit(1);
});

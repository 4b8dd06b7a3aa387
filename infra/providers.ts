// Settings an explicit provider must be given: it reads credentials from the
// environment (ALIBABA_CLOUD_ACCESS_KEY_ID etc., TF alicloud/provider.go) but not
// from the `alicloud:*` stack config the default provider uses, so what that
// config sets is passed on.
import * as pulumi from "@pulumi/pulumi";
import type * as alicloud from "@pulumi/alicloud";

export function inheritedProviderArgs(): Omit<alicloud.ProviderArgs, "region"> {
  const c = new pulumi.Config("alicloud");
  const args: Omit<alicloud.ProviderArgs, "region"> = {
    profile: c.get("profile"),
    accessKey: c.getSecret("accessKey"),
    secretKey: c.getSecret("secretKey"),
    securityToken: c.getSecret("securityToken"),
  };
  return Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined));
}

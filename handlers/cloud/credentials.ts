// Credentials: the function role's temporary keys from the FC context, else the
// standard chain of @alicloud/credentials (env ALIBABA_CLOUD_ACCESS_KEY_ID /
// _SECRET / _SECURITY_TOKEN, RAM role, ...), loaded only when needed.

export interface AccessKey {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

export interface CredentialSource {
  get(): Promise<AccessKey>;
}

export function credentialSource(fromContext?: Partial<AccessKey>): CredentialSource {
  if (fromContext?.accessKeyId && fromContext.accessKeySecret) {
    const key: AccessKey = { accessKeyId: fromContext.accessKeyId, accessKeySecret: fromContext.accessKeySecret, securityToken: fromContext.securityToken || undefined };
    return { get: async () => key };
  }
  let chain: { getCredential(): Promise<{ accessKeyId?: string; accessKeySecret?: string; securityToken?: string }> } | undefined;
  return {
    async get() {
      if (!chain) {
        // Lazy: the credentials package is large and most paths never need it.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const Credential = require("@alicloud/credentials").default;
        chain = new Credential();
      }
      const c = await chain!.getCredential();
      if (!c.accessKeyId || !c.accessKeySecret) throw new Error("no credentials: neither the FC context nor the default credential chain gave an access key");
      return { accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret, securityToken: c.securityToken || undefined };
    },
  };
}

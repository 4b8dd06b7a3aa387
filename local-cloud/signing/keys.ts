// Who may call the fake: AccessKey pairs, looked up by id.
import type { IncomingHttpHeaders } from "node:http";
import type { Product } from "../calls";

export interface Credential {
  accessKeyId: string;
  accessKeySecret: string;
  /**
   * Products that know this key (default: all). A key unknown to a product is
   * answered as the real service answers an AccessKey id that does not exist
   * (RPC `InvalidAccessKeyId.NotFound`, OSS/MNS `InvalidAccessKeyId`): a test
   * device for "wrong key for the APIs, right one for the dead-letter queue".
   */
  products?: readonly Product[];
}

export type Keyring = ReadonlyMap<string, Credential>;

/** The keys one product accepts. */
export function keyringFor(keys: Keyring, product: Product): Keyring {
  return new Map([...keys].filter(([, c]) => !c.products || c.products.includes(product)));
}

/** What a verifier needs from an HTTP request. */
export interface SignedRequest {
  method: string;
  /** Path as sent, still percent-encoded, without the query. */
  rawPath: string;
  /** Query string as sent, without `?`. */
  rawQuery: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export function header(req: SignedRequest, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v.join(",") : v;
}

// FC entry of the expiry function: the one runtime (../runtime/fc-entry.ts) over its declaration.
import { fcEntry } from "../runtime/fc-entry";
import { expiry } from "../expiry/handler";

export const { handler, createHandler } = fcEntry(expiry);

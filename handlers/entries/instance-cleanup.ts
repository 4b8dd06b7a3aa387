// FC entry of the instance-cleanup function: the one runtime (../runtime/fc-entry.ts) over its declaration.
import { fcEntry } from "../runtime/fc-entry";
import { instanceCleanup } from "../instance-cleanup/handler";

export const { handler, createHandler } = fcEntry(instanceCleanup);

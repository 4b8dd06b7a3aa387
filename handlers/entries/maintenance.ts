// FC entry of the maintenance function: the one runtime (../runtime/fc-entry.ts) over its declaration.
import { fcEntry } from "../runtime/fc-entry";
import { maintenance } from "../maintenance/handler";

export const { handler, createHandler } = fcEntry(maintenance);

// FC entry of the spot-drain function: the one runtime (../runtime/fc-entry.ts) over its declaration.
import { fcEntry } from "../runtime/fc-entry";
import { spotDrain } from "../spot-drain/handler";

export const { handler, createHandler } = fcEntry(spotDrain);

// FC entry of the state-record function: the one runtime (../runtime/fc-entry.ts) over its declaration.
import { fcEntry } from "../runtime/fc-entry";
import { stateRecord } from "../state-record/handler";

export const { handler, createHandler } = fcEntry(stateRecord);

// FC entry for the state-record function: decode, dispatch, report (see ../fc-entry.ts).
import { fcHandler } from "../fc-entry";
import { stateRecord } from "../state-record";

export const handler = fcHandler(stateRecord);

// FC entry for the spot-drain function: decode, dispatch, report (see ../fc-entry.ts).
import { fcHandler } from "../fc-entry";
import { spotDrain } from "../spot-drain";

export const handler = fcHandler(spotDrain);

// FC entry for the instance-cleanup function: decode, dispatch, report (see ../fc-entry.ts).
import { fcHandler } from "../fc-entry";
import { instanceCleanup } from "../instance-cleanup";

export const handler = fcHandler(instanceCleanup);

// Records state changes and failures as the outcome's log line. No cloud calls.
import type { EventHandler } from "../core/handler";

export const stateRecord: EventHandler = {
  name: "state-record",
  destructive: false,
  apis: [],
  async run({ event }) {
    const state = typeof event.content.state === "string" ? event.content.state : event.status ?? "-";
    return { outcome: "acted", reason: `recorded ${event.name} ${state} for ${event.instanceId} in ${event.regionId}` };
  },
};

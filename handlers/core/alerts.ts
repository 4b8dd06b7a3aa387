import { CMS } from "../cloud/apis";
import type { CloudGateway } from "./gateway";
import type { AlertSink } from "./handler";

/** CMS PutCustomEvent through the gateway: recorded in the outcome, skipped under DRY_RUN. */
export function cmsAlertSink(cloud: CloudGateway, target: string): AlertSink {
  return {
    async critical(eventName, content) {
      await cloud.mutate(CMS.putCustomEvent, { EventInfo: [{ EventName: eventName, Content: JSON.stringify(content) }] }, `${target}/${eventName}`);
    },
  };
}

// CloudMonitor (CMS 2019-01-01): custom events are recorded; a dry-run system
// event is delivered to the fake's system-event subscribers.
import { ApiError } from "../errors";
import { objectList, optStr, reqStr } from "../params";
import type { RpcHandler, RpcProduct } from "./rpc";

const putCustomEvent: RpcHandler = ({ p, state, now }) => {
  const infos = objectList(p, "EventInfo");
  if (infos.length === 0) throw new ApiError(400, "MissingParameter", 'The input parameter "EventInfo" that is mandatory for processing this request is not supplied.');
  if (infos.length > 50) throw new ApiError(400, "InvalidParameter", "At most 50 EventInfo.N may be given.");
  for (const [i, e] of infos.entries()) {
    if (!e.EventName || !e.Content) throw new ApiError(400, "MissingParameter", `EventInfo.${i + 1}.EventName and EventInfo.${i + 1}.Content are required.`);
  }
  for (const e of infos) state.customEvents.push({ EventName: e.EventName, Content: e.Content, GroupId: e.GroupId, Time: e.Time, ReceivedAt: now });
  return { Code: "200", Message: "success" };
};

const sendDryRunSystemEvent: RpcHandler = ({ p, life }) => {
  const product = reqStr(p, "Product");
  const eventName = reqStr(p, "EventName");
  let content: Record<string, unknown> = {};
  const raw = optStr(p, "EventContent");
  if (raw) {
    try {
      content = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      throw new ApiError(400, "InvalidParameter", "EventContent must be JSON.");
    }
  }
  const instanceId = String(content.instanceId ?? content.resourceId ?? "i-dryrun");
  if (product !== "ECS") throw new ApiError(400, "InvalidParameter", "Only Product=ECS is modelled by the fake.");
  life.notify(instanceId, eventName.replace(/^Instance:/, ""), content);
  return { Code: "200", Success: true };
};

export const cms: RpcProduct = {
  product: "CMS",
  version: "2019-01-01",
  host: "metrics.cn-hangzhou.aliyuncs.com",
  handlers: { PutCustomEvent: putCustomEvent, SendDryRunSystemEvent: sendDryRunSystemEvent },
};

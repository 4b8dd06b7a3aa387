// Least-privilege RAM actions per handler, derived from the same API constants
// the handlers pass to the cloud port (handler.apis) plus what the runtime
// itself uses (markers, dead letters). Infra builds each function's RAM policy
// from this; a test runs every handler against a recording port and fails on
// any call outside its list.
import type { HandlerName } from "./catalogue";
import { MNS, OSS, ramAction, type ApiAction } from "./cloud/apis";
import type { EventHandler } from "./core/handler";
import { expiry } from "./expiry/handler";
import { instanceCleanup } from "./instance-cleanup";
import { maintenance } from "./maintenance/handler";
import { spotDrain } from "./spot-drain";
import { stateRecord } from "./state-record";

/** The handlers that have a bundle today. */
export const IMPLEMENTED_HANDLERS: Partial<Record<HandlerName, EventHandler>> = {
  "spot-drain": spotDrain,
  "instance-cleanup": instanceCleanup,
  "state-record": stateRecord,
  maintenance,
  expiry,
};

/** Every function dead-letters (MNS) and may move an oversized body to OSS; destructive ones also claim markers. */
export function runtimeApis(handler: EventHandler): ApiAction[] {
  return handler.destructive ? [MNS.sendMessage, OSS.putObject, OSS.getObject] : [MNS.sendMessage, OSS.putObject];
}

/** Sorted, unique RAM actions (e.g. `slb:SetBackendServers`) the handler's function needs. */
export function ramActionsFor(name: HandlerName): string[] {
  const handler = IMPLEMENTED_HANDLERS[name];
  if (!handler) throw new Error(`handler "${name}" has no implementation yet, so no RAM policy; implemented: ${Object.keys(IMPLEMENTED_HANDLERS).join(", ")}`);
  return [...new Set([...handler.apis, ...runtimeApis(handler)].map(ramAction))].sort();
}

/** The RAM actions of every implemented handler. */
export function ramActionsByHandler(): Record<string, string[]> {
  return Object.fromEntries(Object.keys(IMPLEMENTED_HANDLERS).map((name) => [name, ramActionsFor(name as HandlerName)]));
}

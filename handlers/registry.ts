// The handler registry: every handler's declaration, and the RAM actions its
// function needs, derived from the same API constants the handler passes to the
// cloud port (its `apis`) plus what the runtime itself uses (markers, dead
// letters). The bundler writes them into dist/handlers/manifest.json, which
// infra and the policy pack read; a test runs every handler against a
// recording port and fails on any call outside its list.
import type { HandlerName } from "./catalogue";
import { MNS, OSS, ramAction, type ApiAction } from "./core/apis";
import type { EventHandler } from "./core/handler";
import { expiry } from "./expiry/handler";
import { instanceCleanup } from "./instance-cleanup/handler";
import { maintenance } from "./maintenance/handler";
import { spotDrain } from "./spot-drain/handler";
import { stateRecord } from "./state-record/handler";

export const HANDLERS: Readonly<Record<HandlerName, EventHandler>> = {
  "spot-drain": spotDrain,
  "instance-cleanup": instanceCleanup,
  maintenance,
  expiry,
  "state-record": stateRecord,
};

/** Every function dead-letters (MNS) and may move an oversized body to OSS; destructive ones also claim markers. */
export function runtimeApis(handler: EventHandler): ApiAction[] {
  return handler.destructive ? [MNS.sendMessage, OSS.putObject, OSS.getObject] : [MNS.sendMessage, OSS.putObject];
}

/** Sorted, unique RAM actions (e.g. `slb:SetBackendServers`) the handler's function needs. */
export function ramActionsFor(name: HandlerName): string[] {
  const handler = Object.hasOwn(HANDLERS, name) ? HANDLERS[name] : undefined;
  if (!handler) throw new Error(`handler "${name}" has no implementation yet, so no RAM policy; implemented: ${Object.keys(HANDLERS).join(", ")}`);
  return [...new Set([...handler.apis, ...runtimeApis(handler)].map(ramAction))].sort();
}

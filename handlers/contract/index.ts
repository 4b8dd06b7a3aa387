// The contract between infra and the handlers: what infra may import from
// handlers/ besides the catalogue. Pure: no I/O, no cloud SDK.
export * from "./batching";
export * from "./env";
export * from "./group-policy";
export * from "./limits";
export * from "./objects";
export * from "./timers";

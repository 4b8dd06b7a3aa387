// What happens over (virtual) time: instance reboots, stops and starts, and the
// system-event lifecycle Scheduled → Executing → Executed (or Avoided /
// Canceled). Every change is announced as a CMS system event.
import type { Clock, Scheduler } from "./clock";
import { stateChangeMessage, statusNotificationMessage, systemEventMessage, type CmsSystemEvent } from "./cms-events";
import { ACTIVE_EVENT_STATUSES, type CloudState, type EcsInstance, type EventCycleStatus, type InstanceStatus, type SystemEvent, type SystemEventSeed } from "./state";

export interface LifecycleTiming {
  /** Running → Stopping → (this long) → Starting on a reboot. */
  rebootStopMs: number;
  /** Starting → (this long) → Running. */
  startMs: number;
  /** Stopping → (this long) → Stopped on a stop. */
  stopMs: number;
  /** A redeploy is slower than a reboot. */
  redeployStopMs: number;
  /** Executing → Executed for system events. */
  eventExecutionMs: number;
  /**
   * How long a scaling activity of ours (RemoveInstances, DetachInstances) stays InProgress (an assumption: ESS
   * documents none). 0 by default, ended at once: the fake's clock only moves when told, and an activity that never
   * ends would block its group; tests of the blocking set a duration.
   */
  scalingActivityMs: number;
}

export const DEFAULT_TIMING: LifecycleTiming = {
  rebootStopMs: 5_000,
  startMs: 5_000,
  stopMs: 5_000,
  redeployStopMs: 30_000,
  eventExecutionMs: 60_000,
  scalingActivityMs: 0,
};

/** Event types that begin life already Executing (the failure has happened). */
export const STARTS_EXECUTING = /^(SystemFailure|InstanceFailure)\./;

export class Lifecycle {
  constructor(
    private readonly state: CloudState,
    private readonly scheduler: Scheduler,
    private readonly clock: Clock,
    private readonly timing: LifecycleTiming,
    private readonly emit: (e: CmsSystemEvent) => void,
  ) {}

  /** How long a scaling activity the ESS API starts stays InProgress. */
  get scalingActivityMs(): number {
    return this.timing.scalingActivityMs;
  }

  // ----- instances -----

  setStatus(inst: EcsInstance, status: InstanceStatus): void {
    if (inst.Status === status) return;
    inst.Status = status;
    this.emit(stateChangeMessage(this.state, inst.RegionId, inst.InstanceId, status, this.clock.now()));
  }

  /** Running → Stopping → Starting → Running; `stopMs` is how long it stays down. */
  reboot(inst: EcsInstance, stopMs = this.timing.rebootStopMs): void {
    this.setStatus(inst, "Stopping");
    this.scheduler.after(stopMs, () => {
      if (!this.state.instances.has(inst.InstanceId) || inst.Status !== "Stopping") return;
      this.setStatus(inst, "Starting");
      this.scheduler.after(this.timing.startMs, () => {
        if (this.state.instances.has(inst.InstanceId) && inst.Status === "Starting") this.setStatus(inst, "Running");
      });
    });
  }

  stop(inst: EcsInstance): void {
    this.setStatus(inst, "Stopping");
    this.scheduler.after(this.timing.stopMs, () => {
      if (this.state.instances.has(inst.InstanceId) && inst.Status === "Stopping") this.setStatus(inst, "Stopped");
    });
  }

  start(inst: EcsInstance): void {
    this.setStatus(inst, "Starting");
    this.scheduler.after(this.timing.startMs, () => {
      if (this.state.instances.has(inst.InstanceId) && inst.Status === "Starting") this.setStatus(inst, "Running");
    });
  }

  /** Releases the instance: gone from ECS (not from SLB/ESS), `Instance:StateChange` Deleted. */
  release(instanceId: string): boolean {
    const inst = this.state.instances.get(instanceId);
    if (!inst) return false;
    this.state.instances.delete(instanceId);
    this.emit(stateChangeMessage(this.state, inst.RegionId, instanceId, "Deleted", this.clock.now()));
    return true;
  }

  /** A synthetic status notification (spot interruption cannot be simulated by the real API). */
  notify(instanceId: string, event: string, content: Record<string, unknown>, opts: { level?: string; regionId?: string } = {}): CmsSystemEvent {
    const inst = this.state.instances.get(instanceId);
    const msg = statusNotificationMessage(this.state, opts.regionId ?? inst?.RegionId ?? this.state.defaultRegion, instanceId, event, content, this.clock.now(), opts.level);
    this.emit(msg);
    return msg;
  }

  // ----- system events -----

  createEvent(seed: SystemEventSeed): SystemEvent {
    const now = this.clock.now();
    const inst = this.state.instances.get(seed.InstanceId);
    const startsExecuting = STARTS_EXECUTING.test(seed.EventType);
    const ev: SystemEvent = {
      EventId: seed.EventId ?? this.state.newId("e", 21),
      InstanceId: seed.InstanceId,
      RegionId: seed.RegionId ?? inst?.RegionId ?? this.state.defaultRegion,
      EventType: seed.EventType,
      Status: seed.Status ?? (startsExecuting ? "Executing" : "Scheduled"),
      Simulated: seed.Simulated ?? false,
      PublishTime: seed.PublishTime ?? now,
      NotBefore: seed.NotBefore,
      ExecuteStartTime: seed.ExecuteStartTime,
      ExecuteFinishTime: seed.ExecuteFinishTime,
      FinishTime: seed.FinishTime,
      Reason: seed.Reason ?? (seed.Simulated ? "simulated system event" : "system maintenance"),
    };
    if (ev.Status === "Executing" && ev.ExecuteStartTime === undefined) ev.ExecuteStartTime = now;
    this.state.putEvent(ev);
    if (ev.Simulated && ACTIVE_EVENT_STATUSES.includes(ev.Status)) this.state.activeSimulatedEvents++;
    this.announce(ev);
    this.plan(ev);
    return ev;
  }

  /** Moves an event to a status, stamps times, keeps the simulated count, announces it. */
  transition(ev: SystemEvent, status: EventCycleStatus): void {
    if (ev.Status === status) return;
    const now = this.clock.now();
    const wasActive = ACTIVE_EVENT_STATUSES.includes(ev.Status);
    ev.Status = status;
    if (status === "Executing") ev.ExecuteStartTime = now;
    if (status === "Executed" || status === "Failed") ev.ExecuteFinishTime = now;
    const isActive = ACTIVE_EVENT_STATUSES.includes(status);
    if (!isActive) ev.FinishTime = now;
    if (ev.Simulated && wasActive && !isActive) this.state.activeSimulatedEvents--;
    this.announce(ev);
    this.plan(ev);
  }

  /** Before NotBefore, the user's own reboot avoids a Scheduled reboot maintenance (RedeployInstance: products/ecs.ts). */
  avoidByReboot(instanceId: string): SystemEvent[] {
    const now = this.clock.now();
    const avoided: SystemEvent[] = [];
    for (const ev of this.state.eventsOf(instanceId)) {
      if (ev.Status === "Scheduled" && ev.EventType === "SystemMaintenance.Reboot" && (ev.NotBefore === undefined || now < ev.NotBefore)) {
        this.transition(ev, "Avoided");
        avoided.push(ev);
      }
    }
    return avoided;
  }

  private announce(ev: SystemEvent): void {
    this.emit(systemEventMessage(this.state, ev, this.clock.now()));
  }

  private plan(ev: SystemEvent): void {
    if (ev.Status === "Scheduled" && ev.NotBefore !== undefined) {
      this.scheduler.at(ev.NotBefore, () => {
        if (ev.Status === "Scheduled") this.execute(ev);
      });
    } else if (ev.Status === "Executing") {
      const from = Math.max(this.clock.now(), ev.NotBefore ?? 0);
      this.scheduler.at(from + this.timing.eventExecutionMs, () => {
        if (ev.Status === "Executing") this.finish(ev);
      });
    }
  }

  private execute(ev: SystemEvent): void {
    this.transition(ev, "Executing");
    // Simulated events never touch the instance (TriggerRealOps is not modelled).
    const inst = this.state.instances.get(ev.InstanceId);
    if (ev.Simulated || !inst) return;
    if (/\.(Reboot|Redeploy)$/.test(ev.EventType) && inst.Status === "Running") {
      this.reboot(inst, ev.EventType.endsWith("Redeploy") ? this.timing.redeployStopMs : this.timing.rebootStopMs);
    } else if (/\.Stop$/.test(ev.EventType) && inst.Status === "Running") {
      this.stop(inst);
    }
  }

  private finish(ev: SystemEvent): void {
    this.transition(ev, "Executed");
    if (!ev.Simulated && /\.Delete$/.test(ev.EventType)) this.release(ev.InstanceId);
  }
}

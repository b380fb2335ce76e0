import { type Logger } from 'pino';
import { type EventRecorder } from '../events.js';
import { type FaultTracker } from '../kubelet/faults.js';
import { type Kubelet } from '../kubelet/kubelet.js';
import { type ObjectStore } from '../store.js';
import { syncDeployments } from './deployment.js';
import { syncDisruptionBudgets } from './disruption.js';
import { EndpointsController } from './endpoints.js';
import { collectGarbage } from './gc.js';
import { syncNetworkBlocks } from './network-block.js';
import { syncReplicaSets } from './replicaset.js';
import { syncServiceAccounts } from './service-accounts.js';

/*
 * Runs every controller and the kubelet until nothing changes, whenever an object changes or a kubelet transition
 * falls due. Controllers are level-triggered (they compare desired and actual state on each pass) and write only
 * what differs, so a pass over a settled cluster writes nothing.
 */

export interface ControlLoopOptions {
  store: ObjectStore;
  recorder: EventRecorder;
  kubelet: Kubelet;
  faults: FaultTracker;
  log: Logger;
  now: () => number;
}

const MAX_PASSES = 25;

export class ControlLoop {
  private scheduled = false;
  private running = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private timerDue: number | undefined;
  private readonly unsubscribe: () => void;
  private readonly endpoints: EndpointsController;

  constructor(private readonly o: ControlLoopOptions) {
    this.endpoints = new EndpointsController(o.store, (p) => o.faults.forPod(p));
    this.unsubscribe = o.store.subscribe((c) => {
      if (!this.running && c.resource !== 'events') this.schedule();
    });
  }

  /** Runs a pass soon (coalesced). */
  schedule(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.run();
    });
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe();
    if (this.timer) clearTimeout(this.timer);
  }

  /** One settle: passes until the store stops changing. Also callable directly (tests, after seeding). */
  run(): void {
    if (this.stopped || this.running) return;
    this.running = true;
    let due: number | undefined;
    try {
      for (let pass = 0; pass < MAX_PASSES; pass++) {
        const before = this.o.store.currentRv();
        due = this.pass();
        if (this.o.store.currentRv() === before) break;
        if (pass === MAX_PASSES - 1) {
          this.o.log.warn('controllers did not settle; continuing on the next tick');
          this.schedule();
        }
      }
    } catch (err) {
      this.o.log.error({ err }, 'controller pass failed');
      this.arm(this.o.now() + 500);
    } finally {
      this.running = false;
    }
    if (due !== undefined) this.arm(due);
  }

  private pass(): number | undefined {
    const { store, recorder, kubelet } = this.o;
    const now = this.o.now();
    collectGarbage(store, now);
    syncNetworkBlocks(store);
    syncServiceAccounts(store);
    syncDeployments(store, recorder, now);
    syncReplicaSets(store, recorder, now);
    const due = kubelet.sync();
    this.endpoints.sync();
    const expiry = recorder.expire(now);
    const recheck = syncDisruptionBudgets(store, now);
    return [due, expiry, recheck].reduce<number | undefined>(
      (soonest, t) => (t === undefined ? soonest : soonest === undefined ? t : Math.min(soonest, t)),
      undefined
    );
  }

  /** Wakes the loop at `due` (keeps an earlier wake-up if one is set). */
  private arm(due: number): void {
    if (this.stopped) return;
    if (this.timer && this.timerDue !== undefined && this.timerDue <= due) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerDue = due;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerDue = undefined;
        this.run();
      },
      Math.max(1, due - this.o.now())
    );
  }
}

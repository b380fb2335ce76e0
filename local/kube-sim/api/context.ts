import { type Logger } from 'pino';
import { type Kubelet } from '../kubelet/kubelet.js';
import { type ObjectStore } from '../store.js';
import { type Identify, type WriteRecord } from './audit.js';

/** What request handlers need from the simulator. */
export interface ApiContext {
  store: ObjectStore;
  kubelet: Kubelet;
  log: Logger;
  now: () => number;
  /** `127.0.0.1:18080`, for discovery's serverAddressByClientCIDRs. */
  serverAddress: () => string;
  /** Test hook: answers a request with an injected failure instead of serving it. */
  intercept: (method: string, path: string) => { code: number; reason: string; message: string; hang?: boolean } | undefined;
  /** Who sent a request (the user of the write audit). */
  identify: Identify;
  /** Called once per write a client made, when its answer has been sent. */
  recordWrite: (w: WriteRecord) => void;
  /** Open watch streams (each entry ends its stream), for the test hook that drops them. */
  watches: Set<() => void>;
}

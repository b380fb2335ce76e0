import { type Logger } from 'pino';
import { type AuditLog } from '../auth/audit.js';
import { type Authenticator } from '../auth/authenticate.js';
import { type RbacSource } from '../auth/rbac.js';
import { type Kubelet } from '../kubelet/kubelet.js';
import { type ObjectStore } from '../store.js';
import { type ListSnapshots } from './paging.js';

/** What request handlers need from the simulator. */
export interface ApiContext {
  store: ObjectStore;
  kubelet: Kubelet;
  log: Logger;
  now: () => number;
  /** Who a bearer token is; issues ServiceAccount tokens. */
  auth: Authenticator;
  /** The RBAC objects the authorizer reads (straight from the store, uncopied). */
  rbac: RbacSource;
  audit: AuditLog;
  /** The states paged lists continue from. */
  snapshots: ListSnapshots;
  /** `127.0.0.1:18080`, for discovery's serverAddressByClientCIDRs. */
  serverAddress: () => string;
  /** Test hook: answers a request with an injected failure instead of serving it. */
  intercept: (method: string, path: string) => { code: number; reason: string; message: string; hang?: boolean } | undefined;
  /** Open watch streams (each entry ends its stream), for the test hook that drops them. */
  watches: Set<() => void>;
  /** How often a watch that asked for bookmarks gets one (the API server: about a minute). */
  bookmarkMs: number;
}

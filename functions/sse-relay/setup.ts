import type { CortexEvent, SetupCtx } from '../../shared/runtime/define-function.js';
import { Hub } from './hub.js';
import { createIngest } from './ingest.js';
import { openRelayStores } from './stores.js';
import { relayNeeds, type RelayRole } from './role.js';

/** What the relay's handler and routes share: the ingest, its hub of open streams, and the credentials they check. */
export interface RelayDeps {
  readonly ingest: (event: CortexEvent) => Promise<void>;
  readonly hub: Hub;
  /** What this process serves: deliveries, streams, or both (role.ts). */
  readonly role: RelayRole;
  readonly sessionSecret: string;
  readonly operatorToken: string | undefined;
}

/**
 * Builds one served relay's state (its `setup`): its stores (memory, or Redis when configured) and its hub, so two
 * relays in one process (tests, the local stack) never share open streams. Streams end on shutdown; browsers
 * reconnect elsewhere.
 *
 * @example
 * setup: relaySetup
 */
export async function relaySetup(ctx: Pick<SetupCtx, 'config' | 'clock' | 'log' | 'onShutdown'>): Promise<RelayDeps> {
  const { config, log } = ctx;
  relayNeeds(config);
  const stores = await openRelayStores(config, ctx);
  const hub = new Hub(
    { maxPerSession: config.relay.maxPerSession, heartbeatMs: config.relay.heartbeatMs, log },
    stores.reader,
    stores.routes
  );
  ctx.onShutdown(async () => {
    hub.closeAll();
    await stores.close();
  });
  return {
    ingest: createIngest(stores.routes, stores.writer),
    hub,
    role: config.relay.role,
    // Unset only in the ingest role, which serves no stream (relayNeeds).
    sessionSecret: config.sessionSecret ?? '',
    operatorToken: config.operatorToken
  };
}

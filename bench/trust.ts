import { HTTP, CloudEvent } from 'cloudevents';
import checkPodStatus from '../functions/check-pod-status/index.js';
import { createLocalIssuer, startBroker } from '../local/broker/index.js';
import { Events } from '../shared/events/catalog.js';
import { fromHttp } from '../shared/events/http.js';
import { systemClock } from '../shared/runtime/clock.js';
import { createLogger } from '../shared/runtime/logging.js';
import { createMemoryStore } from '../shared/runtime/store.js';
import { createDeliveryAuth } from '../shared/trust/delivery-auth.js';
import { serviceAudience } from '../shared/trust/identity.js';
import { createTrust } from '../shared/trust/trust.js';
import { measurement, type Measurement } from './measure.js';

/*
 * What trust costs per event, in process, against what every delivery costs anyway: the strict parse of the same
 * event from HTTP (`fromHttp`). Signing a request (canonical JSON + HMAC), verifying it with its single-use record
 * (the memory store), and verifying an OIDC delivery token against a JWKS already fetched (jose).
 */

const N = 5_000;
const KEY = 'k'.repeat(64);

/** Mean microseconds per call of `fn` over `n` calls, after a warm-up. */
async function perCall(n: number, fn: (i: number) => unknown): Promise<number> {
  for (let i = 0; i < 200; i++) await fn(-1 - i);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn(i);
  return ((performance.now() - t0) * 1000) / n;
}

export async function benchTrust(): Promise<Measurement[]> {
  const request = (i: number) => ({
    healingId: `h-${i}`,
    target: { namespace: 'demo', service: 'mcp-demo' },
    phase: 'diagnose',
    checks: ['pod-status', 'service-endpoints', 'pod-logs', 'deployment-config'],
    deadline: '2030-01-01T00:00:00.000Z'
  });
  const coordinator = {
    ...checkPodStatus,
    trust: { sign: [{ types: [Events.DiagnosisRequested], key: 'diagnosis' as const }] }
  };
  const sealer = createTrust(coordinator, { diagnosis: [KEY] }, { store: createMemoryStore(), clock: systemClock })!;
  const checker = createTrust(checkPodStatus, { diagnosis: [KEY] }, { store: createMemoryStore(), clock: systemClock })!;
  const type = Events.DiagnosisRequested.type;
  const signed = Array.from({ length: N }, (_, i) => sealer.seal(type, request(i)));
  const m = HTTP.binary(new CloudEvent({ id: 'e', source: '/cortex/healing-coordinator', type, data: signed[0] }));
  const headers = m.headers as Record<string, string>;
  const body = m.body as string;

  const parse = await perCall(N, () => fromHttp(headers, body));
  const seal = await perCall(N, (i) => sealer.seal(type, request(i)));
  const verify = await perCall(N, (i) =>
    checker.inbound({ id: `e-${i}`, source: '/x', type, time: undefined, data: signed[Math.max(0, i)], extensions: {} })
  );

  const issuer = await createLocalIssuer();
  const log = createLogger({ name: 'bench', level: 'silent' });
  const broker = await startBroker({
    namespace: 'cortex',
    triggers: [],
    brokers: [],
    resolve: () => undefined,
    log,
    oidc: issuer
  });
  try {
    const audience = serviceAudience('cortex', 'check-pod-status');
    const auth = createDeliveryAuth({
      discoveryUrl: new URL(broker.url).origin,
      audience,
      senders: ['system:serviceaccount:cortex:*']
    });
    const token = await issuer.mint('system:serviceaccount:cortex:t', audience);
    const oidc = await perCall(N, () => auth.verify({ authorization: `Bearer ${token}` }));
    return [
      measurement('trust: sign a request', seal, 'µs/event', parse, 'baseline: strict parse of the same event'),
      measurement(
        'trust: verify a request, single use',
        verify,
        'µs/event',
        parse,
        'baseline: strict parse of the same event'
      ),
      measurement(
        'trust: verify an OIDC delivery token',
        oidc,
        'µs/event',
        parse,
        'baseline: strict parse of the same event'
      )
    ];
  } finally {
    await broker.stop();
  }
}

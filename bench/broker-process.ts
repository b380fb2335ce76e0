import { startBroker } from '../local/broker/index.js';
import { Events } from '../shared/events/catalog.js';
import { createLogger } from '../shared/runtime/logging.js';

/*
 * The broker of bench/broker.ts as its own OS process, as Knative runs its ingress and dispatcher in their own pods:
 * one Trigger (the bench's event type) to the subscriber URL it is sent over the IPC channel. It answers `cpu` with
 * its CPU time so far (µs) and exits on `stop` (normally, so `--cpu-prof` writes its profile).
 */

interface Message {
  kind: 'config' | 'cpu' | 'stop';
  subscriber?: string;
}

const { subscriber } = await new Promise<Message>((resolve) => process.once('message', (m: Message) => resolve(m)));
const broker = await startBroker({
  namespace: 'cortex',
  brokers: [],
  triggers: [
    {
      apiVersion: 'eventing.knative.dev/v1',
      kind: 'Trigger',
      metadata: { name: 'bench' },
      spec: {
        broker: 'default',
        filter: { attributes: { type: Events.ChatDelayed.type } },
        subscriber: { uri: subscriber! }
      }
    }
  ],
  resolve: (d) => d.uri,
  log: createLogger({ name: 'bench-broker', level: 'silent' })
});
process.on('message', (m: Message) => {
  if (m.kind === 'cpu') {
    const { user, system } = process.cpuUsage();
    process.send!({ kind: 'cpu', us: user + system });
  } else if (m.kind === 'stop') {
    void broker.stop().then(() => process.exit(0));
  }
});
process.once('disconnect', () => process.exit(0));
process.send!({ kind: 'listening', url: broker.url });

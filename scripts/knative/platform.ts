import { BROKER, NAMESPACE, type K8sObject } from './objects.js';
import { KEY_SECRETS, type KeyName, type SecretName } from '../../shared/runtime/define-function.js';
import { KEY_ENV } from '../../shared/runtime/env-security.js';

const PART_OF = { 'app.kubernetes.io/part-of': 'cortex' };

export const namespace: K8sObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE, labels: PART_OF } };

export const broker: K8sObject = {
  apiVersion: 'eventing.knative.dev/v1',
  kind: 'Broker',
  metadata: {
    name: BROKER,
    namespace: NAMESPACE,
    labels: PART_OF,
    annotations: { 'eventing.knative.dev/broker.class': 'MTChannelBasedBroker' }
  },
  spec: {
    // Used only by Triggers without their own delivery; a Trigger's delivery replaces this one wholesale.
    delivery: { retry: 4, backoffPolicy: 'exponential', backoffDelay: 'PT0.5S', timeout: 'PT30S' }
  }
};

export const BROKER_COMMENT = [
  ' The Broker every Cortex function publishes to (through the SinkBinding) and every Trigger reads from.',
  ' MTChannelBasedBroker on an InMemoryChannel is for trying Cortex out: it keeps nothing across restarts.',
  ' In production use a durable class: Kafka (eventing.knative.dev/broker.class: Kafka, with a',
  ' kafka-broker-config ConfigMap) or RabbitMQ (RabbitMQBroker, with a RabbitmqBrokerConfig). Cortex routes on',
  ' `type` alone with filter.attributes, which every class supports. Set the class with a kustomize overlay that',
  ' patches the annotation below (README "Deploy on Knative" has one for Kafka). A Broker\'s class cannot change',
  ' once it exists: delete the Broker first.'
].join('\n');

export const config: K8sObject = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'cortex-config', namespace: NAMESPACE, labels: PART_OF },
  data: {
    CORTEX_REMEDIATION_MODE: 'enforce',
    CORTEX_ALLOWED_NAMESPACES: 'demo',
    CORTEX_LOG_LEVEL: 'info',
    CORTEX_RELAY_URL: `http://sse-relay.${NAMESPACE}.svc.cluster.local`,
    // The chat lists Cortex's own MCP server (healing-history) among its MCP servers, with CORTEX_CHAT_TOKEN.
    CORTEX_HISTORY_URL: `http://healing-history.${NAMESPACE}.svc.cluster.local`,
    CORTEX_MODEL: 'claude-sonnet-5',
    CORTEX_MCP_SERVERS: JSON.stringify([
      { name: 'demo', url: 'http://mcp-demo.demo.svc.cluster.local/mcp', target: { namespace: 'demo', service: 'mcp-demo' } }
    ]),
    OTEL_EXPORTER_OTLP_ENDPOINT: '',
    // oidc: every delivery must carry Eventing's token (knative/oidc, docs/security.md); off: signatures alone.
    CORTEX_EVENT_AUTH: 'off',
    // The cluster CA, for TLS to the OIDC issuer (the API server): in every pod's ServiceAccount directory.
    NODE_EXTRA_CA_CERTS: '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt'
  }
};

export const CONFIG_COMMENT = [
  ' What every function reads at startup (envFrom). OTEL_EXPORTER_OTLP_ENDPOINT: the OTLP/HTTP base URL of your',
  ' OpenTelemetry collector (e.g. http://otel-collector.observability:4318) to export traces; empty exports nothing,',
  ' and traceparent still travels with every event.'
].join('\n');

const secret = (name: string, stringData: Record<string, string>): K8sObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace: NAMESPACE, labels: PART_OF },
  type: 'Opaque',
  stringData
});

/** Two Secrets, so a function mounts only the credentials it uses (KnativeOptions.secrets): no check sees the Claude key. */
export const secrets: K8sObject[] = [
  secret('cortex-secrets', {
    CORTEX_SESSION_SECRET: 'REPLACE-with-32-random-bytes-hex',
    CORTEX_OPERATOR_TOKEN: 'REPLACE-with-a-long-random-token',
    CORTEX_CHAT_TOKEN: 'REPLACE-with-another-long-random-token'
  }),
  secret('cortex-anthropic' satisfies SecretName, { ANTHROPIC_API_KEY: 'REPLACE-with-your-key' }),
  ...(Object.keys(KEY_SECRETS) as KeyName[]).map((k) =>
    secret(KEY_SECRETS[k], { [KEY_ENV[k]]: 'REPLACE-with-32-random-bytes-hex' })
  )
];

export const SECRET_COMMENT = [
  ' Placeholders: replace every value before applying (or manage these Secrets with your secret store and',
  ' remove them from kustomization.yaml). Example: openssl rand -hex 32. cortex-secrets is mounted by the chat,',
  ' the relay and healing-history; cortex-anthropic only by the functions that call Claude (the chat,',
  ' explain-healing). The signing keys',
  ' (docs/security.md): cortex-diagnosis-key by the coordinator and the checks, cortex-remediation-key by the',
  ' coordinator and the remediations, cortex-stream-key by the coordinator, the chat and the relay,',
  ' cortex-approval-key by the coordinator and the approvals function only. A key may list',
  ' several values, comma-separated: the first signs, any verifies (rotate by prepending the new one).'
].join('\n');

export const pingSource: K8sObject = {
  apiVersion: 'sources.knative.dev/v1',
  kind: 'PingSource',
  metadata: { name: 'healing-tick', namespace: NAMESPACE, labels: PART_OF },
  spec: {
    schedule: '* * * * *',
    contentType: 'application/json',
    data: '{"reason":"deadline-check"}',
    sink: { ref: { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', name: BROKER } }
  }
};

export const PING_COMMENT = [
  ' Once a minute the healing coordinator checks phase deadlines, so a healing whose checks went silent still',
  ' ends even when the coordinator scaled to zero in between. Ticks may arrive late or not at all; the',
  ' coordinator treats them as "check now", never as a clock.'
].join('\n');

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AnyFunctionDef } from '../../shared/runtime/define-function.js';
import { run, type RunningFunction } from '../../shared/runtime/run.js';

/* A stand-in OpenTelemetry collector: accepts OTLP/HTTP JSON on POST /v1/traces and keeps every span. */

export interface CollectedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  kind: number;
  status: { code?: number };
  attributes: Record<string, unknown>;
}

export interface FakeCollector {
  url: string;
  spans: CollectedSpan[];
  requests: number;
  /** Resolves once `ok` holds for the spans received (rejects after safetyMs). */
  until(ok: (spans: CollectedSpan[]) => boolean, safetyMs?: number): Promise<void>;
  close(): Promise<void>;
}

type OtlpValue = { stringValue?: string; intValue?: string; boolValue?: boolean; doubleValue?: number };
type OtlpBody = {
  resourceSpans: Array<{
    resource: { attributes: Array<{ key: string; value: OtlpValue }> };
    scopeSpans: Array<{
      spans: Array<Omit<CollectedSpan, 'service' | 'attributes'> & { attributes: Array<{ key: string; value: OtlpValue }> }>;
    }>;
  }>;
};

const plain = (v: OtlpValue): unknown =>
  v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : (v.boolValue ?? v.doubleValue));

export async function startFakeCollector(): Promise<FakeCollector> {
  const collector = { spans: [] as CollectedSpan[], requests: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (
        req.method !== 'POST' ||
        req.url !== '/v1/traces' ||
        !req.headers['content-type']?.startsWith('application/json')
      ) {
        res.writeHead(404).end();
        return;
      }
      collector.requests++;
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpBody;
      for (const rs of body.resourceSpans) {
        const service = String(plain(rs.resource.attributes.find((a) => a.key === 'service.name')!.value));
        for (const ss of rs.scopeSpans) {
          for (const s of ss.spans) {
            collector.spans.push({
              ...s,
              service,
              attributes: Object.fromEntries(s.attributes.map((a) => [a.key, plain(a.value)]))
            });
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get spans() {
      return collector.spans;
    },
    get requests() {
      return collector.requests;
    },
    async until(ok, safetyMs = 30_000) {
      const end = Date.now() + safetyMs;
      while (!ok(collector.spans)) {
        if (Date.now() > end)
          throw new Error(`the collector never got the expected spans (${collector.spans.length} received)`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      })
  };
}

/** A function served twice with its spans exported to a fake collector: as in a cluster, and in local mode. */
export interface TracedFunction {
  collector: FakeCollector;
  fn: RunningFunction;
  local: RunningFunction;
  stop(): Promise<void>;
}

export async function serveTraced(def: AnyFunctionDef): Promise<TracedFunction> {
  const collector = await startFakeCollector();
  const env = { PORT: '0', HOST: '127.0.0.1', CORTEX_LOG_LEVEL: 'silent', OTEL_EXPORTER_OTLP_ENDPOINT: collector.url };
  const fn = await run(def, { overrides: env });
  const local = await run(def, { overrides: { ...env, CORTEX_LOCAL_MODE: 'true' } });
  return {
    collector,
    fn,
    local,
    async stop() {
      await fn.stop();
      await local.stop();
      await collector.close();
    }
  };
}

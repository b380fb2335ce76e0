import { type Logger } from 'pino';

/*
 * Follows one Service's Endpoints through the Kubernetes API (list, then watch from the list's resourceVersion), the
 * way kube-proxy learns about endpoints. A 410 Expired re-lists; a dropped stream re-watches from the last
 * resourceVersion seen; an unreachable API is retried with back-off (the last known state is kept meanwhile).
 */

export interface FollowerOptions {
  kubeUrl: string;
  namespace: string;
  service: string;
  /** Called with the number of ready addresses whenever it changes (and once with the first state). */
  onChange: (readyAddresses: number) => void;
  log: Logger;
  token?: string;
}

export interface EndpointsFollower {
  /** Resolves once the first list answered (or rejects after a failure before any state was known). */
  readonly initial: Promise<void>;
  stop(): void;
}

interface EndpointsObject {
  metadata?: { resourceVersion?: string };
  subsets?: { addresses?: unknown[] }[];
}

const readyCount = (ep: EndpointsObject | undefined): number =>
  (ep?.subsets ?? []).reduce((n, s) => n + (s.addresses?.length ?? 0), 0);

class Expired extends Error {}

export function followEndpoints(o: FollowerOptions): EndpointsFollower {
  const abort = new AbortController();
  const base = `${o.kubeUrl.replace(/\/$/, '')}/api/v1/namespaces/${encodeURIComponent(o.namespace)}/endpoints`;
  const selector = `fieldSelector=${encodeURIComponent(`metadata.name=${o.service}`)}`;
  const headers: Record<string, string> = {
    Accept: 'application/json',
    ...(o.token ? { Authorization: `Bearer ${o.token}` } : {})
  };
  let last: number | undefined;
  const report = (n: number): void => {
    if (n === last) return;
    last = n;
    o.onChange(n);
  };
  let resolveInitial!: () => void;
  const initial = new Promise<void>((r) => (resolveInitial = r));

  async function list(): Promise<string> {
    const res = await fetch(`${base}?${selector}`, { headers, signal: abort.signal });
    if (!res.ok) throw new Error(`listing endpoints ${o.namespace}/${o.service} answered ${res.status}`);
    const body = (await res.json()) as { metadata?: { resourceVersion?: string }; items?: EndpointsObject[] };
    report(readyCount(body.items?.[0]));
    resolveInitial();
    return body.metadata?.resourceVersion ?? '0';
  }

  async function watch(rv: string): Promise<string> {
    const res = await fetch(
      `${base}?${selector}&watch=true&allowWatchBookmarks=true&timeoutSeconds=300&resourceVersion=${rv}`,
      { headers, signal: abort.signal }
    );
    if (!res.ok || !res.body) throw new Error(`watching endpoints ${o.namespace}/${o.service} answered ${res.status}`);
    const decoder = new TextDecoder();
    let buf = '';
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buf += decoder.decode(value, { stream: true });
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (!line) continue;
        const ev = JSON.parse(line) as { type: string; object: EndpointsObject & { code?: number } };
        if (ev.type === 'ERROR') {
          if (ev.object.code === 410) throw new Expired();
          throw new Error(`watch error ${JSON.stringify(ev.object)}`);
        }
        rv = ev.object.metadata?.resourceVersion ?? rv;
        if (ev.type === 'BOOKMARK') continue;
        report(ev.type === 'DELETED' ? 0 : readyCount(ev.object));
      }
    }
    return rv;
  }

  void (async () => {
    let delay = 100;
    while (!abort.signal.aborted) {
      try {
        let rv = await list();
        delay = 100;
        for (;;) rv = await watch(rv);
      } catch (err) {
        if (abort.signal.aborted) return;
        if (err instanceof Expired) {
          o.log.debug({ service: o.service }, 'endpoints watch expired, re-listing');
          continue;
        }
        o.log.warn(
          { err: (err as Error).message, service: `${o.namespace}/${o.service}` },
          'following endpoints failed, retrying'
        );
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 5000);
      }
    }
  })();

  return { initial, stop: () => abort.abort() };
}

import { CloudEvent, HTTP } from 'cloudevents';

/** A valid error.reported for the demo MCP server, as the chat would publish it. */
export function errorReported(
  overrides: Record<string, unknown> = {},
  id = `err-${Math.random().toString(36).slice(2)}`
): CloudEvent<unknown> {
  return new CloudEvent<unknown>({
    specversion: '1.0',
    id,
    source: '/cortex/chat',
    type: 'dev.cortex.error.reported',
    datacontenttype: 'application/json',
    data: {
      component: 'chat',
      category: 'mcp_unreachable',
      message: 'connect ECONNREFUSED 10.96.0.10:80',
      occurredAt: '2026-11-27T10:00:00.000Z',
      target: { namespace: 'demo', service: 'mcp-demo' },
      sessionId: 's-1',
      ...overrides
    }
  });
}

/** POSTs an event in binary or structured mode and returns the response. */
export async function postEvent(
  url: string,
  event: CloudEvent<unknown>,
  mode: 'binary' | 'structured' = 'binary'
): Promise<Response> {
  const m = mode === 'binary' ? HTTP.binary(event) : HTTP.structured(event);
  return fetch(url, { method: 'POST', headers: m.headers as Record<string, string>, body: m.body as string });
}

/** POSTs an event in binary mode with a delivery token (`Authorization: Bearer`), if any; returns the status. */
export async function postWithToken(url: string, event: CloudEvent<unknown>, token?: string): Promise<number> {
  const m = HTTP.binary(event);
  const headers = { ...(m.headers as Record<string, string>), ...(token ? { authorization: `Bearer ${token}` } : {}) };
  const res = await fetch(url, { method: 'POST', headers, body: m.body as string });
  await res.text();
  return res.status;
}

import http, { type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBalancer, type Balancer } from '../../../../local/stack/balancer.js';
import { startFrontDoor, type FrontDoor } from '../../../../local/stack/front-door.js';
import { frontDoorRoutes } from '../../../../local/stack/routes.js';
import type { RunningBroker } from '../../../../local/broker/index.js';

/*
 * The local stack's chain of proxies, over real HTTP: front door → replica balancer → function. The function's
 * same-origin checks compare a browser's Origin with the host the browser addressed, so the front door sets
 * X-Forwarded-Host from it (whatever a client sent) and the balancer behind it passes it on unchanged.
 */

describe('Local stack: front door and replica balancer', () => {
  let backend: Server;
  let balancer: Balancer;
  let door: FrontDoor;
  const seen: IncomingHttpHeaders[] = [];
  beforeAll(async () => {
    backend = http.createServer((req, res) => {
      seen.push(req.headers);
      res.end('ok');
    });
    await new Promise<void>((r) => backend.listen(0, '127.0.0.1', () => r()));
    const backendUrl = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
    balancer = await startBalancer(() => [backendUrl]);
    door = await startFrontDoor({ port: 0, host: '127.0.0.1', routes: [{ match: () => true, target: () => balancer.url }] });
  });
  afterAll(async () => {
    await door?.stop();
    await balancer?.stop();
    await new Promise((r) => backend?.close(r));
  });

  it('hands the function the host the browser addressed through both hops; the edge ignores one a client sent', async () => {
    // Act
    await fetch(`${door.url}/chat/sessions`, { method: 'POST' });
    await fetch(`${door.url}/chat/sessions`, { method: 'POST', headers: { 'x-forwarded-host': 'evil.example' } });
    await fetch(`${balancer.url}/chat/sessions`, { method: 'POST' });
    // Assess
    const doorHost = new URL(door.url).host;
    expect(seen.map((h) => h['x-forwarded-host'])).toEqual([doorHost, doorHost, new URL(balancer.url).host]);
    expect(seen.every((h) => h.host !== doorHost)).toBe(true);
  });

  it("forwards the page and the streams to the relay, never a POST of an event (the relay's ingest is not public)", async () => {
    // Prepare
    const backendUrl = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
    const routes = frontDoorRoutes({
      urls: new Map([['sse-relay', backendUrl]]),
      broker: { url: 'http://127.0.0.1:9/cortex/default' } as RunningBroker,
      namespace: 'cortex',
      brokerName: 'default'
    });
    const relayDoor = await startFrontDoor({ port: 0, host: '127.0.0.1', routes });
    const before = seen.length;
    // Act
    const statuses = [];
    try {
      for (const [method, path] of [
        ['GET', '/'],
        ['GET', '/events?session=x'],
        ['HEAD', '/assets/app.js'],
        ['POST', '/'],
        ['PUT', '/events']
      ])
        statuses.push([
          method,
          path,
          (
            await fetch(`${relayDoor.url}${path}`, {
              method,
              body: method === 'POST' || method === 'PUT' ? '{}' : undefined
            })
          ).status
        ]);
    } finally {
      await relayDoor.stop();
    }
    // Assess
    expect(statuses.map((s) => s[2])).toEqual([200, 200, 200, 404, 404]);
    expect(seen.length - before).toBe(3);
  });
});

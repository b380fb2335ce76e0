// Server-Sent Events over fetch: the chat answers a POST with a stream (EventSource only does GET), the operator
// log sends its token in a header, and the healing feed keeps reconnecting with back-off where EventSource would give
// up for good on a 503. The parser follows the WHATWG rules; `follow` reconnects with Last-Event-ID.

/** An incremental parser: feed it text as it arrives, it calls onEvent({ event, data, id }) per dispatched event. */
export function createSseParser(onEvent, onRetry) {
  let pending = '';
  let event = '';
  let data = [];
  let lastId = '';
  return (chunk) => {
    pending += chunk;
    const lines = pending.split(/\r\n|\r|\n/);
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (line === '') {
        if (data.length > 0) onEvent({ event: event || 'message', data: data.join('\n'), id: lastId });
        event = '';
        data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const name = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (name === 'event') event = value;
      else if (name === 'data') data.push(value);
      else if (name === 'id' && !value.includes('\0')) lastId = value;
      else if (name === 'retry' && /^\d+$/.test(value)) onRetry?.(Number(value));
    }
  };
}

/** Reads a response body to its end, dispatching events as they complete. */
export async function readSse(body, onEvent, onRetry) {
  const feed = createSseParser(onEvent, onRetry);
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    feed(value);
  }
}

/** The wait before reconnect attempt `failures` (0 after a stream that worked): the server's retry, doubling to 15 s. */
export function reconnectDelay(retryMs, failures, random = Math.random) {
  const base = Math.min(15_000, retryMs * 2 ** Math.min(failures, 10));
  return Math.round(base * (failures > 0 ? 0.75 + random() * 0.5 : 1));
}

/**
 * Follows a GET stream for good: reconnects after the server's `retry:` delay, sending Last-Event-ID so nothing is
 * lost, and backs off while the server cannot serve (a 503, the network gone). Stops on 401/403 (a token problem a
 * retry cannot fix). onState gets connecting | live | reconnecting | unauthorized.
 */
export function follow(url, { headers = {}, onEvent, onState }) {
  let lastId = '';
  let retryMs = 1000;
  let failures = 0;
  let stopped = false;
  let controller;
  const loop = async () => {
    while (!stopped) {
      controller = new AbortController();
      try {
        onState('connecting');
        const res = await fetch(url, {
          headers: { accept: 'text/event-stream', ...headers, ...(lastId ? { 'last-event-id': lastId } : {}) },
          cache: 'no-store',
          signal: controller.signal
        });
        if (res.status === 401 || res.status === 403) return onState('unauthorized');
        if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
        onState('live');
        failures = 0;
        await readSse(
          res.body,
          (ev) => {
            if (ev.id) lastId = ev.id;
            onEvent(ev);
          },
          (ms) => (retryMs = ms)
        );
      } catch {
        // network error, server gone or unable to serve: fall through to the retry, backing off
        failures++;
      }
      if (stopped) return;
      onState('reconnecting');
      await new Promise((resolve) => setTimeout(resolve, reconnectDelay(retryMs, failures)));
    }
  };
  void loop();
  return {
    close() {
      stopped = true;
      controller?.abort();
    }
  };
}

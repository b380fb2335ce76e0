import { createChat } from './chat.js';
import { notice } from './dom.js';
import { startLocal } from './local.js';
import { createTimeline } from './timeline.js';

// The page: a chat box wired to the chat function and a live timeline of this session's healings from the relay.
// The session (id + token) comes from the chat and is kept for the tab, so a reload shows the same healings again.

const $ = (id) => document.getElementById(id);
const STORE = 'cortex.session';
const FEED = {
  connecting: 'Healing feed: connecting…',
  live: 'Healing feed: live',
  reconnecting: 'Healing feed: reconnecting…',
  closed: 'Healing feed: closed'
};

function feedState(state, text) {
  const el = $('relay-status');
  el.dataset.state = state;
  el.textContent = text ?? FEED[state];
}

function createSession(onReady) {
  let current;
  try {
    current = JSON.parse(sessionStorage.getItem(STORE) ?? 'null') ?? undefined;
  } catch {
    current = undefined;
  }
  const adopt = (s) => {
    if (!s?.sessionId || !s?.token || current?.sessionId === s.sessionId) return;
    current = { sessionId: s.sessionId, token: s.token };
    sessionStorage.setItem(STORE, JSON.stringify(current));
    document.body.dataset.sessionId = current.sessionId;
    onReady(current);
  };
  return {
    current: () => current,
    adopt,
    forget() {
      current = undefined;
      sessionStorage.removeItem(STORE);
    },
    async start() {
      if (current) {
        const s = current;
        current = undefined;
        return adopt(s);
      }
      const res = await fetch('chat/sessions', { method: 'POST', headers: { accept: 'application/json' } });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      adopt(await res.json());
    }
  };
}

function followTimeline(timeline, s) {
  const url = `events?session=${encodeURIComponent(s.sessionId)}&token=${encodeURIComponent(s.token)}`;
  feedState('connecting');
  // EventSource reconnects by itself and sends Last-Event-ID; the timeline renders each id once.
  const source = new EventSource(url);
  source.addEventListener('open', () => feedState('live'));
  source.addEventListener('connected', () => feedState('live'));
  source.addEventListener('error', () => feedState(source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting'));
  source.addEventListener('resync', (e) => timeline.resync(JSON.parse(e.data)));
  for (const name of timeline.names)
    source.addEventListener(name, (e) => timeline.apply(name, JSON.parse(e.data), e.lastEventId));
  source.addEventListener('processing_delay', (e) => {
    const d = JSON.parse(e.data);
    $('chat-status').textContent =
      `${d.message} Retrying in ${Math.ceil((d.retryInMs ?? 0) / 1000)} s (attempt ${d.attempt}).`;
  });
  addEventListener('pagehide', () => source.close());
  return source;
}

async function main() {
  const timeline = createTimeline({ container: $('timeline'), empty: $('timeline-empty'), note: $('timeline-notice') });
  let source;
  const session = createSession((s) => {
    source?.close();
    source = followTimeline(timeline, s);
  });
  const chat = createChat({
    form: $('chat-form'),
    input: $('chat-input'),
    send: $('chat-send'),
    conversation: $('conversation'),
    status: $('chat-status'),
    alert: $('chat-notice'),
    session
  });
  const local = startLocal({
    panel: $('local'),
    label: $('claude-label'),
    demo: $('local-demo'),
    faults: $('faults'),
    result: $('fault-result'),
    log: $('operator-log'),
    status: $('operator-status'),
    token: { form: $('operator-token-form'), input: $('operator-token'), hint: $('operator-token-hint') },
    session
  });
  try {
    await session.start();
  } catch {
    chat.notRunning();
    feedState('closed', 'Healing feed: waiting for a chat session');
  }
  await local;
  document.body.dataset.ready = 'true';
}

main().catch((err) =>
  notice($('chat-notice'), `The page failed to start: ${err instanceof Error ? err.message : String(err)}`)
);

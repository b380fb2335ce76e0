import { createChat } from './chat.js';
import { notice } from './dom.js';
import { startHistory } from './history.js';
import { startLocal } from './local.js';
import { follow } from './sse.js';
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

function followTimeline(timeline, s, onEnded) {
  const url = `events?session=${encodeURIComponent(s.sessionId)}&token=${encodeURIComponent(s.token)}`;
  const names = new Set(timeline.names);
  // Reconnects by itself with Last-Event-ID (also after a 503 while the relay cannot read its logs, with back-off);
  // the timeline renders each id once.
  const stream = follow(url, {
    onState: (state) => feedState(state === 'unauthorized' ? 'closed' : state),
    onEvent: (ev) => {
      if (ev.event === 'resync') return timeline.resync(JSON.parse(ev.data));
      if (names.has(ev.event)) {
        timeline.apply(ev.event, JSON.parse(ev.data), ev.id);
        if (ev.event === 'healing_explained') onEnded();
        return;
      }
      if (ev.event !== 'processing_delay') return;
      const d = JSON.parse(ev.data);
      $('chat-status').textContent =
        `${d.message} Retrying in ${Math.ceil((d.retryInMs ?? 0) / 1000)} s (attempt ${d.attempt}).`;
    }
  });
  addEventListener('pagehide', () => stream.close());
  return stream;
}

async function main() {
  const timeline = createTimeline({ container: $('timeline'), empty: $('timeline-empty'), note: $('timeline-notice') });
  const history = startHistory({
    panel: $('history'),
    table: $('history-rows'),
    chartBox: $('history-chart'),
    status: $('history-status'),
    form: $('history-token-form'),
    input: $('history-token'),
    refresh: $('history-refresh')
  });
  let source;
  const session = createSession((s) => {
    source?.close();
    source = followTimeline(timeline, s, () => void history.load());
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
    approvals: { list: $('approvals'), empty: $('approvals-empty') },
    session
  });
  try {
    await session.start();
  } catch {
    chat.notRunning();
    feedState('closed', 'Healing feed: waiting for a chat session');
  }
  await local;
  await history.load();
  document.body.dataset.ready = 'true';
}

main().catch((err) =>
  notice($('chat-notice'), `The page failed to start: ${err instanceof Error ? err.message : String(err)}`)
);

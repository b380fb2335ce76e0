import { clock, h } from './dom.js';
import { createApprovals } from './approvals.js';
import { follow } from './sse.js';

// Local mode only (GET /local/info answers 200): fault buttons for the simulated cluster, which model answers, the
// actions waiting for an operator's approval (approvals.js), and the operator event log (every CloudEvent on the Broker, newest first, each expandable to its JSON). The log needs the
// operator token: the page asks for it once and keeps it in sessionStorage (this tab only); /local/info never hands
// it out, so no other page can read it (docs/security.md).

const MAX_LOG = 500;
const TOKEN_KEY = 'cortex.operatorToken';
const STATUS = {
  connecting: 'connecting…',
  live: 'live',
  reconnecting: 'reconnecting…',
  unauthorized: 'operator token refused',
  token: 'waiting for the operator token'
};

function faultButtons({ info, faults, result, session }) {
  const inject = async (fault) => {
    result.textContent = `Injecting ${fault}…`;
    try {
      const res = await fetch('local/faults', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ fault, ...(session.current() ? { sessionId: session.current().sessionId } : {}) })
      });
      const body = await res.json().catch(() => ({}));
      if (!res.ok)
        return void (result.textContent = `Could not inject ${fault}: ${body?.error?.message ?? `HTTP ${res.status}`}`);
      const probe = body.probe?.ok
        ? 'the demo server still answers'
        : `the demo server fails (${body.probe?.category ?? 'unknown'}): a healing starts`;
      result.textContent = fault === 'clear' ? 'Faults cleared.' : `Injected ${fault}; ${probe}.`;
    } catch {
      result.textContent = `Could not reach the local stack to inject ${fault}.`;
    }
  };
  const buttons = [...(info.faults ?? []), 'clear'].map((fault) =>
    h(
      'button',
      {
        type: 'button',
        class: fault === 'clear' ? 'secondary' : '',
        'data-testid': `fault-${fault}`,
        onclick: () => inject(fault)
      },
      fault === 'clear' ? 'Clear faults' : fault
    )
  );
  faults.replaceChildren(...buttons);
}

function setStatus(status, state) {
  status.dataset.state = state;
  status.textContent = STATUS[state] ?? state;
}

/** Asks for the operator token until the stream takes one; a refused token is forgotten and asked for again. */
function operatorLog({ info, log, status, token, approvals }) {
  let stream;
  const ask = (refused) => {
    if (!refused) setStatus(status, 'token');
    token.form.hidden = false;
    token.input.value = '';
    if (info.tokenHint)
      token.hint.textContent = `Every CloudEvent is for operators only: ${info.tokenHint}. It is kept for this tab.`;
  };
  const start = (value) => {
    stream?.close();
    token.form.hidden = true;
    void approvals.start(value);
    stream = followEvents({
      log,
      status,
      token: value,
      onCloudEvent: approvals.onEvent,
      onRefused: () => (sessionStorage.removeItem(TOKEN_KEY), ask(true))
    });
  };
  token.form.addEventListener('submit', (e) => {
    e.preventDefault();
    const value = token.input.value.trim();
    if (!value) return;
    sessionStorage.setItem(TOKEN_KEY, value);
    start(value);
  });
  const saved = sessionStorage.getItem(TOKEN_KEY);
  if (saved) start(saved);
  else ask(false);
  addEventListener('pagehide', () => stream?.close());
}

function followEvents({ log, status, token, onCloudEvent, onRefused }) {
  const seen = new Set();
  return follow(`events?operator=1&history=100`, {
    headers: { authorization: `Bearer ${token}` },
    onState: (state) => {
      setStatus(status, state);
      if (state === 'unauthorized') onRefused();
    },
    onEvent: (ev) => {
      if (ev.event === 'connected' || ev.event === 'resync' || seen.has(ev.id)) return;
      seen.add(ev.id);
      let ce;
      try {
        ce = JSON.parse(ev.data);
      } catch {
        ce = { data: ev.data };
      }
      const dead = Object.keys(ce).some((k) => k.startsWith('knativeerror'));
      if (!dead) onCloudEvent(ce);
      const summary = h(
        'summary',
        {},
        h('span', { class: 'type' }, ev.event),
        dead ? h('span', { class: 'dead' }, ' dead letter') : null,
        h('time', { datetime: ce.time ?? '' }, ce.time ? clock(new Date(ce.time)) : clock()),
        h('code', { class: 'id' }, ce.id ?? ev.id)
      );
      log.prepend(
        h(
          'li',
          { 'data-testid': 'operator-event', 'data-type': ev.event, 'data-event-id': ev.id },
          h('details', {}, summary, h('pre', {}, JSON.stringify(ce, null, 2)))
        )
      );
      while (log.children.length > MAX_LOG) log.lastElementChild.remove();
    }
  });
}

/** Shows the local panel when the local stack answers /local/info; returns the info or undefined. */
export async function startLocal({ panel, label, demo, faults, result, log, status, token, approvals, session }) {
  let info;
  try {
    const res = await fetch('local/info', { cache: 'no-store' });
    if (!res.ok) return undefined;
    info = await res.json();
  } catch {
    return undefined;
  }
  panel.hidden = false;
  label.hidden = false;
  label.textContent = info.claude === 'stand-in' ? 'Claude: local stand-in' : 'Claude: Anthropic API';
  if (info.demo)
    demo.textContent = `Faults go to ${info.demo.namespace}/${info.demo.deployment} (Service ${info.demo.service}) in the simulated cluster.`;
  faultButtons({ info, faults, result, session });
  operatorLog({ info, log, status, token, approvals: createApprovals(approvals) });
  return info;
}

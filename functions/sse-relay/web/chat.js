import { h, notice } from './dom.js';
import { readSse } from './sse.js';

// The chat box: POST /chat answers with an SSE stream (session, token, tool_call, tool_progress, tool_result,
// processing_delay, notice, healing_*, done, error). Tokens show as they arrive; `done` carries the final text.

const NOT_RUNNING =
  'The chat is not running, so messages cannot be sent right now. The healing timeline still works; reload once the chat is up.';

export function createChat({ form, input, send, conversation, status, alert, session }) {
  let busy = false;

  function turn() {
    const text = h('div', { class: 'text', 'data-testid': 'assistant-text' });
    const tools = h('div', { class: 'tools' });
    const li = h(
      'li',
      { class: 'assistant', 'data-testid': 'assistant-turn', 'data-state': 'streaming' },
      h('span', { class: 'who' }, 'Cortex'),
      tools,
      text
    );
    conversation.append(li);
    return { li, text, tools, calls: new Map() };
  }

  function onEvent(t, ev) {
    const d = ev.data ? JSON.parse(ev.data) : {};
    switch (ev.event) {
      case 'session':
        session.adopt(d);
        break;
      case 'token':
        t.text.append(d.delta ?? '');
        break;
      case 'tool_call': {
        const result = h('pre', { class: 'result' }, 'running…');
        const item = h(
          'details',
          { class: 'tool', 'data-testid': 'tool-call' },
          h('summary', {}, `Tool ${d.name} on ${d.server}`),
          h('pre', {}, JSON.stringify(d.input, null, 2)),
          result
        );
        t.calls.set(d.id, { item, result });
        t.tools.append(item);
        break;
      }
      case 'tool_result': {
        const call = t.calls.get(d.id);
        const text = `${d.isError ? 'Error: ' : ''}${d.content ?? ''}${d.retried ? ' (after a retry)' : ''}`;
        if (call) {
          call.result.textContent = text;
          call.item.classList.toggle('error', Boolean(d.isError));
        } else t.tools.append(h('pre', { class: 'result' }, text));
        break;
      }
      case 'tool_progress': {
        const call = t.calls.get(d.id);
        const total = d.total ? ` of ${d.total}` : '';
        if (call) call.result.textContent = `running… ${d.progress}${total}${d.message ? `: ${d.message}` : ''}`;
        break;
      }
      case 'notice':
        t.tools.append(h('p', { class: 'healing-note bad', 'data-testid': 'notice' }, d.message ?? ''));
        break;
      case 'processing_delay':
        status.textContent = `${d.message} Retrying in ${Math.ceil((d.retryInMs ?? 0) / 1000)} s (attempt ${d.attempt}).`;
        break;
      case 'healing_start':
        t.tools.append(h('p', { class: 'healing-note' }, `Healing ${d.service}: ${d.issue}. Follow it in the timeline.`));
        break;
      case 'healing_complete':
        t.tools.append(h('p', { class: 'healing-note ok' }, `Healed ${d.service}: ${d.message}`));
        break;
      case 'healing_failed':
        t.tools.append(h('p', { class: 'healing-note bad' }, `${d.service} needs a human: ${d.message}`));
        break;
      case 'done':
        t.text.textContent = d.message ?? t.text.textContent;
        t.li.dataset.state = 'done';
        status.textContent = '';
        break;
      case 'error':
        t.li.dataset.state = 'error';
        t.li.append(h('p', { class: 'error', role: 'alert' }, `Error (${d.code}): ${d.message}`));
        status.textContent = '';
        break;
      default:
        break;
    }
  }

  async function ask(message) {
    conversation.append(
      h('li', { class: 'user' }, h('span', { class: 'who' }, 'You'), h('div', { class: 'text' }, message))
    );
    const t = turn();
    const s = session.current();
    let res;
    try {
      res = await fetch('chat', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ message, ...(s ? { sessionId: s.sessionId, token: s.token } : {}) })
      });
    } catch {
      return fail(t, NOT_RUNNING);
    }
    if (res.status === 401) {
      session.forget();
      return fail(t, 'This chat session is no longer valid; a new one starts with your next message.');
    }
    if (!res.ok || !res.body) {
      const body = await res.json().catch(() => undefined);
      return fail(
        t,
        res.status === 404 || res.status >= 502
          ? NOT_RUNNING
          : (body?.error?.message ?? `The chat answered HTTP ${res.status}.`)
      );
    }
    notice(alert, '');
    await readSse(res.body, (ev) => onEvent(t, ev)).catch(() => fail(t, 'The answer stream broke off.'));
    if (t.li.dataset.state === 'streaming') t.li.dataset.state = 'done';
  }

  function fail(t, message) {
    t.li.dataset.state = 'error';
    t.li.append(h('p', { class: 'error' }, message));
    if (message === NOT_RUNNING) notice(alert, NOT_RUNNING);
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const message = input.value.trim();
    if (!message || busy) return;
    busy = true;
    send.disabled = true;
    input.value = '';
    try {
      await ask(message);
    } finally {
      busy = false;
      send.disabled = false;
      input.focus();
    }
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      form.requestSubmit();
    }
  });

  return { notRunning: () => notice(alert, NOT_RUNNING) };
}

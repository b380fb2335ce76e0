import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionToken } from '../../../../shared/session/token.js';
import { first, names, postChat } from '../../../helpers/chat.js';
import { SECRET, startChatHarness, type ChatHarness } from './harness.js';

describe('Function: chat refuses bad requests with a JSON error', () => {
  let h: ChatHarness;

  beforeAll(async () => {
    h = await startChatHarness({ env: { CORTEX_CHAT_MAX_MESSAGE_BYTES: '4096' } });
  });
  afterAll(async () => {
    await h.stop();
  });

  it.each([
    ['an empty message', { message: '' }, 'empty_message'],
    ['a whitespace message', { message: ' \n\t ' }, 'empty_message'],
    ['no message', { sessionId: 'abc' }, 'invalid_request'],
    ['a message that is not a string', { message: 42 }, 'invalid_request'],
    ['a JSON array', [1, 2], 'invalid_request']
  ])('400 for %s', async (_what, body, code) => {
    // Prepare
    const before = h.standin.requests().length;
    // Act
    const reply = await postChat(h.chat.url, body);
    // Assess
    expect(reply.status).toBe(400);
    expect(reply.contentType).toMatch(/^application\/json/);
    expect(reply.error?.code).toBe(code);
    expect(h.standin.requests().length).toBe(before);
  });

  it.each([
    ['text/plain (a no-cors POST from any page)', { 'content-type': 'text/plain;charset=UTF-8' }],
    ['a form', { 'content-type': 'application/x-www-form-urlencoded' }],
    ['no content type', { 'content-type': '' }]
  ])('415 for %s, and no Claude call', async (_what, headers) => {
    // Prepare
    const before = h.standin.requests().length;
    // Act
    const reply = await postChat(h.chat.url, { message: 'hello' }, { headers });
    // Assess
    expect(reply.status).toBe(415);
    expect(reply.error?.code).toBe('unsupported_media_type');
    expect(h.standin.requests().length).toBe(before);
  });

  it.each([
    ['a foreign Origin', { origin: 'https://evil.example' }],
    ['Origin null (a sandboxed frame)', { origin: 'null' }],
    ['no Origin but Sec-Fetch-Site cross-site', { 'sec-fetch-site': 'cross-site' }]
  ])('403 for %s on POST /chat and POST /chat/sessions, and no Claude call', async (_what, headers) => {
    // Prepare
    const before = h.standin.requests().length;
    // Act
    const reply = await postChat(h.chat.url, { message: 'hello' }, { headers });
    const session = await fetch(`${h.chat.url}/chat/sessions`, { method: 'POST', headers });
    // Assess
    expect([reply.status, reply.error?.code]).toEqual([403, 'forbidden_origin']);
    expect(session.status).toBe(403);
    expect(h.standin.requests().length).toBe(before);
  });

  it('takes its own origin (Host, or X-Forwarded-Host behind a proxy)', async () => {
    // Prepare
    const host = new URL(h.chat.url).host;
    // Act
    const direct = await postChat(h.chat.url, { message: 'hello' }, { headers: { origin: `http://${host}` } });
    const proxied = await postChat(
      h.chat.url,
      { message: 'hello' },
      { headers: { origin: 'http://127.0.0.1:8080', 'x-forwarded-host': '127.0.0.1:8080' } }
    );
    // Assess
    expect([direct.status, proxied.status]).toEqual([200, 200]);
  });

  it('400 for invalid JSON', async () => {
    // Prepare
    const raw = '{"message": "unterminated';
    // Act
    const reply = await postChat(h.chat.url, undefined, { raw });
    // Assess
    expect(reply.status).toBe(400);
    expect(reply.error?.code).toBe('malformed_json');
  });

  it('413 for a 1 MiB message', async () => {
    // Prepare
    const message = 'x'.repeat(1024 * 1024);
    // Act
    const reply = await postChat(h.chat.url, { message });
    // Assess
    expect(reply.status).toBe(413);
    expect(reply.error?.code).toBe('payload_too_large');
  });

  it('413 for a message just over the configured limit, accepted at the limit', async () => {
    // Prepare
    const over = 'é'.repeat(2049); // 4098 bytes in UTF-8
    const at = 'a'.repeat(4096);
    // Act
    const refused = await postChat(h.chat.url, { message: over });
    const accepted = await postChat(h.chat.url, { message: at });
    // Assess
    expect(refused.status).toBe(413);
    expect(refused.error?.message).toContain('4098 bytes');
    expect(accepted.status).toBe(200);
    expect(names(accepted).at(-1)).toBe('done');
  });

  it.each([
    ['a wrong token', { sessionId: 'session-abcdef', token: 'forged' }],
    ['a token of another session', { sessionId: 'session-abcdef', token: sessionToken(SECRET, 'session-other') }],
    ['no token', { sessionId: 'session-abcdef' }],
    ['a malformed session id', { sessionId: 'bad id!', token: sessionToken(SECRET, 'bad id!') }]
  ])('401 for %s', async (_what, session) => {
    // Prepare
    const body = { message: 'hello', ...session };
    // Act
    const reply = await postChat(h.chat.url, body);
    // Assess
    expect(reply.status).toBe(401);
    expect(reply.error?.code).toBe('invalid_session_token');
  });

  it('continues a session it does not know when the token is valid (another replica, a restart)', async () => {
    // Prepare
    const sessionId = 'issued-elsewhere-123';
    // Act
    const reply = await postChat(h.chat.url, { message: 'hello again', sessionId, token: sessionToken(SECRET, sessionId) });
    // Assess
    expect(reply.status).toBe(200);
    expect(first(reply, 'session').sessionId).toBe(sessionId);
    expect(names(reply).at(-1)).toBe('done');
  });

  it('409 for a second message while the session is still answering', async () => {
    // Prepare
    const created = (await (await fetch(`${h.chat.url}/chat/sessions`, { method: 'POST' })).json()) as {
      sessionId: string;
      token: string;
    };
    const before = h.standin.requests().length;
    h.standin.faults.push({ kind: 'delay_headers', ms: 1500 });
    const slow = postChat(h.chat.url, { message: 'a slow one', ...created });
    while (h.standin.requests().length === before) await new Promise((r) => setTimeout(r, 10));
    // Act
    const second = await postChat(h.chat.url, { message: 'me too', ...created });
    // Assess
    expect(second.status).toBe(409);
    expect(second.error?.code).toBe('session_busy');
    expect(names(await slow).at(-1)).toBe('done');
  });
});

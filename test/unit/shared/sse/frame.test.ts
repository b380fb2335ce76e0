import { describe, expect, it } from 'vitest';
import { sseComment, sseFrame, sseRetry } from '../../../../shared/sse/frame.js';
import { parseSse } from '../../../helpers/sse.js';

describe('Function: sse-relay, SSE framing', () => {
  it('writes event, id and JSON data, ending with a blank line', () => {
    // Prepare
    const frame = { event: 'healing_start', id: 42, data: { healingId: 'h-1' } };
    // Act
    const text = sseFrame(frame);
    // Assess
    expect(text).toBe('event: healing_start\nid: 42\ndata: {"healingId":"h-1"}\n\n');
  });

  it('splits multi-line data into several data lines that a client joins back', () => {
    // Prepare
    const data = 'line one\nline two\r\nline three\rline four';
    // Act
    const text = sseFrame({ event: 'note', id: '1', data });
    const parsed = parseSse(text);
    // Assess
    expect(text).toBe('event: note\nid: 1\ndata: line one\ndata: line two\ndata: line three\ndata: line four\n\n');
    expect(parsed.messages).toEqual([{ event: 'note', id: '1', data: 'line one\nline two\nline three\nline four' }]);
  });

  it.each([
    ['LF in event', { event: 'a\nevent: evil', data: 'x' }, /event must not contain CR or LF/],
    ['CR in event', { event: 'a\rb', data: 'x' }, /event must not contain CR or LF/],
    ['CRLF in id', { id: '1\r\nevent: evil', data: 'x' }, /id must not contain CR or LF/],
    ['NUL in id', { id: '1\0', data: 'x' }, /id must not contain NUL/]
  ])('refuses %s', (_name, frame, message) => {
    // Prepare (the frame comes from the table)
    // Act
    const act = (): string => sseFrame(frame);
    // Assess
    expect(act).toThrow(message);
  });

  it('omits event and id when not given and writes an empty data line for empty text', () => {
    // Prepare
    const frame = { data: '' };
    // Act
    const text = sseFrame(frame);
    // Assess
    expect(text).toBe('data: \n\n');
  });

  it('writes comments on one line and the retry field as an integer', () => {
    // Prepare
    const note = 'keep\nalive';
    // Act
    const comment = sseComment(note);
    const retry = sseRetry(1500.7);
    // Assess
    expect(comment).toBe(': keep alive\n\n');
    expect(retry).toBe('retry: 1500\n\n');
    expect(parseSse(comment + retry)).toMatchObject({ messages: [], comments: ['keep alive'], retry: 1500 });
  });
});

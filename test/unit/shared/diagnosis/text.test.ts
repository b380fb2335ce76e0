import { describe, expect, it } from 'vitest';
import { cleanLine, cleanLines, listNames, plural } from '../../../../shared/diagnosis/text.js';

describe('Diagnosis: untrusted text', () => {
  it.each([
    ['colours', '\u001b[1;31mERROR\u001b[0m boom', 'ERROR boom'],
    ['cursor moves and clears', 'a\u001b[2J\u001b[10;20Hb', 'ab'],
    ['an OSC title (BEL)', '\u001b]0;owned\u0007text', 'text'],
    ['an OSC hyperlink (ST)', '\u001b]8;;http://evil\u001b\\link\u001b]8;;\u001b\\', 'link'],
    ['NUL, backspace, bell, DEL and C1', 'a\u0000b\u0008c\u0007d\u007fe\u009bf', 'abcdef'],
    ['bidi overrides', 'safe\u202etxt.exe\u2066x\u2069', 'safetxt.exex'],
    ['tabs and carriage returns', 'a\tb\r\nc', 'a b c'],
    ['runs of spaces', '  a     b  ', 'a b']
  ])('strips %s', (_name, raw, clean) => {
    // Act
    const out = cleanLine(raw);
    // Assess
    expect(out).toBe(clean);
  });

  it('cuts a long line with an ellipsis and reads only a bounded prefix of a 1 MB line', () => {
    // Prepare
    const huge = 'x'.repeat(1024 * 1024);
    // Act
    const out = cleanLine(huge, 50);
    // Assess
    expect(out).toHaveLength(50);
    expect(out.endsWith('…')).toBe(true);
  });

  it('splits text into clean, non-empty lines, keeping the last ones and only the first maxChars of input', () => {
    // Act
    const lines = cleanLines('a\n\u0007b\n\nc', { maxLines: 2 });
    const prefix = cleanLines(`first\n${'y'.repeat(100)}\nlast`, { maxChars: 20 });
    // Assess
    expect(lines).toEqual(['b', 'c']);
    expect(prefix).toEqual(['first', 'y'.repeat(14)]);
  });

  it('joins names and counts words', () => {
    // Assess
    expect(listNames(['a', 'b', 'c', 'd'], 2)).toBe('a, b and 2 more');
    expect(listNames(['a'])).toBe('a');
    expect(plural(1, 'pod')).toBe('1 pod');
    expect(plural(2, 'policy', 'policies')).toBe('2 policies');
  });
});

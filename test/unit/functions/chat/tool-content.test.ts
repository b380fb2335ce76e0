import { describe, expect, it } from 'vitest';
import { toolOutput } from '../../../../functions/chat/tool-content.js';

const PNG = 'iVBORw0KGgo=';

describe('Function: chat turns MCP tool results into what Claude reads', () => {
  it('structuredContent alone becomes JSON text, where it used to be "(empty result)"', () => {
    // Act
    const out = toolOutput({ content: [], structuredContent: { temperature: 21 } });
    // Assess
    expect(out).toEqual({ blocks: [{ type: 'text', text: '{"temperature":21}' }], text: '{"temperature":21}' });
  });

  it('structuredContent already echoed in a text block is not sent twice', () => {
    // Act
    const out = toolOutput({
      content: [{ type: 'text', text: '{ "temperature": 21 }' }],
      structuredContent: { temperature: 21 }
    });
    // Assess
    expect(out.blocks).toEqual([{ type: 'text', text: '{ "temperature": 21 }' }]);
  });

  it('images the API takes become image blocks; other binaries a line saying what they are', () => {
    // Act
    const out = toolOutput({
      content: [
        { type: 'image', data: PNG, mimeType: 'image/png' },
        { type: 'image', data: 'AAAA', mimeType: 'image/tiff' },
        { type: 'audio', data: 'AAAA', mimeType: 'audio/wav' }
      ]
    });
    // Assess
    expect(out.blocks).toEqual([
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
      { type: 'text', text: '[image (image/tiff, 3 bytes): not shown]' },
      { type: 'text', text: '[audio (audio/wav, 3 bytes): not shown]' }
    ]);
    expect(out.text).toBe('[image]\n[image (image/tiff, 3 bytes): not shown]\n[audio (audio/wav, 3 bytes): not shown]');
  });

  it('resources: embedded text with its URI, a PDF as a document, a link as a line', () => {
    // Act
    const out = toolOutput({
      content: [
        { type: 'resource', resource: { uri: 'file:///a.txt', mimeType: 'text/plain', text: 'hello' } },
        { type: 'resource', resource: { uri: 'file:///b.pdf', mimeType: 'application/pdf', blob: 'JVBERi0=' } },
        { type: 'resource_link', uri: 'file:///c.md', name: 'c.md', description: 'notes', mimeType: 'text/markdown' }
      ]
    });
    // Assess
    expect(out.blocks).toEqual([
      { type: 'text', text: 'Resource file:///a.txt (text/plain):\nhello' },
      { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' } },
      { type: 'text', text: 'Resource link file:///c.md (text/markdown) — c.md: notes' }
    ]);
  });

  it('nothing at all is "(empty result)"', () => {
    // Act
    const out = toolOutput({ content: [{ type: 'text', text: '' }] });
    // Assess
    expect(out.text).toBe('(empty result)');
  });
});

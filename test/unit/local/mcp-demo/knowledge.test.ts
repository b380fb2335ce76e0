import { describe, expect, it } from 'vitest';
import { DOCS, searchDocs } from '../../../../local/mcp-demo/knowledge.js';

describe('Local: demo MCP server knowledge base', () => {
  it.each([
    ['which guardrails limit remediation?', 'guardrails'],
    ['How does a healing run?', 'healing-flow'],
    ['what happens on a 429 from the Claude API', 'claude-errors'],
    ['running it locally with npm start', 'local']
  ])('finds the right document for "%s"', (query, id) => {
    // Prepare
    const limit = 1;
    // Act
    const [best] = searchDocs(query, limit);
    // Assess
    expect(best?.doc.id).toBe(id);
  });

  it('returns nothing for a query sharing no term, and at most `limit` hits', () => {
    // Prepare
    const unrelated = 'zebra quantum';
    // Act
    const none = searchDocs(unrelated);
    const some = searchDocs('cortex pods service', 2);
    // Assess
    expect(none).toEqual([]);
    expect(some).toHaveLength(2);
    expect(DOCS.length).toBeGreaterThan(5);
  });
});

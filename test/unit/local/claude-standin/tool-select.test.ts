import { describe, expect, it } from 'vitest';
import { nameVariants, scoreTool, selectTool, stem } from '../../../../local/claude-standin/tool-select.js';
import type { ToolParam } from '../../../../local/claude-standin/wire.js';

const tool = (name: string, description = ''): ToolParam => ({
  name,
  description,
  input_schema: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] }
});

const searchDocs = tool('demo__search_docs', 'Search the product documentation for an answer');
const weather = tool('get_weather', 'Current weather conditions for a city');
const podStatus = tool('k8s__get_pod_status', 'Report whether the pods of a Kubernetes deployment are ready');
const tools = [searchDocs, weather, podStatus];

describe('Tool selection (local/claude-standin/tool-select)', () => {
  it.each([
    ['Use the search_docs tool to find the retry policy', 'demo__search_docs'],
    ['please use demo__search_docs', 'demo__search_docs'],
    ['can you search docs for the retry policy?', 'demo__search_docs'],
    ["What's the weather in Paris?", 'get_weather'],
    ['Are the pods of the api deployment ready?', 'k8s__get_pod_status'],
    ['What does the product documentation say about limits?', 'demo__search_docs']
  ])('picks the tool that %j asks for', (text, expected) => {
    // Act
    const chosen = selectTool(tools, text);
    // Assess
    expect(chosen?.name).toBe(expected);
  });

  it.each(['Hello there!', 'Tell me a joke about cats', 'What is the capital of France?'])(
    'answers %j in text: no tool is asked for',
    (text) => {
      // Act
      const chosen = selectTool(tools, text);
      // Assess
      expect(chosen).toBeUndefined();
    }
  );

  it('lets "use the <x> tool" win over words that point at another tool', () => {
    // Prepare
    const text = 'Use the get_weather tool, not the documentation search';
    // Act
    const chosen = selectTool(tools, text);
    // Assess
    expect(chosen?.name).toBe('get_weather');
    expect(scoreTool(weather, text)).toBeGreaterThan(scoreTool(searchDocs, text));
  });

  it('needs two description words, so a single shared word does not trigger a tool', () => {
    // Prepare
    const onlyOneWord = 'I like Kubernetes';
    // Act
    const score = scoreTool(podStatus, onlyOneWord);
    // Assess
    expect(score).toBe(1);
    expect(selectTool([podStatus], onlyOneWord)).toBeUndefined();
  });

  it('honours tool_choice: none never calls, tool forces the named one, any falls back to the first', () => {
    // Act
    const none = selectTool(tools, 'use the get_weather tool', { type: 'none' });
    const forced = selectTool(tools, 'Hello', { type: 'tool', name: 'get_weather' });
    const any = selectTool(tools, 'Hello', { type: 'any' });
    // Assess
    expect(none).toBeUndefined();
    expect(forced?.name).toBe('get_weather');
    expect(any?.name).toBe('demo__search_docs');
  });

  it('ignores server tools, which the API runs itself', () => {
    // Prepare
    const serverTool = { type: 'web_search_20250305', name: 'web_search' } as unknown as ToolParam;
    // Act
    const chosen = selectTool([serverTool], 'use the web_search tool');
    // Assess
    expect(chosen).toBeUndefined();
  });

  it('knows the names a namespaced tool goes by, and stems plurals', () => {
    // Act
    const variants = nameVariants('demo__search_docs');
    // Assess
    expect(variants).toEqual(['demo__search_docs', 'search_docs', 'search docs', 'demo search docs']);
    expect([stem('pods'), stem('searching'), stem('status'), stem('class')]).toEqual(['pod', 'search', 'statu', 'class']);
  });
});

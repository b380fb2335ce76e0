import type { ToolChoice, ToolParam } from './wire.js';

/*
 * Which tool, if any, the stand-in "model" calls for a plain-text user turn. Deterministic scoring:
 * "use the <x> tool" beats a mention of the tool's name, which beats a distinctive word of its name, which beats words
 * of its description (two are needed, so small talk does not trigger tools). Namespaced names (`demo__search_docs`)
 * also match by the part after `__`.
 */

const EXPLICIT = 1000;
const NAME = 100;
const NAME_WORD = 10;
const THRESHOLD = 2;

/** Verbs and fillers that say nothing about what a tool is for. */
const GENERIC_NAME_WORDS = new Set(
  'get list search fetch find read create run call query lookup make check show describe update delete set tool info data do'.split(
    ' '
  )
);
const STOPWORDS = new Set(
  (
    'the and for with from that this what when which about into than then them they their there here were been being ' +
    'have will your you should would could please tool tools return returns returned given using used uses each some ' +
    'more most only also such like does specified specific optional provided information data list name names value ' +
    'values result results input output current currently based available can may must one all any'
  ).split(' ')
);

/** Lowercase, with `_`, `-` and runs of spaces folded to one space: "Search_Docs" → "search docs". */
export function normalizeName(s: string): string {
  return s
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .replace(/[\s_-]+/g, ' ')
    .trim();
}

/** A light stemmer: enough to match "pods" with "pod" and "searching" with "search". */
export function stem(word: string): string {
  const w = word.toLowerCase();
  if (w.length > 6 && w.endsWith('ing')) return w.slice(0, -3);
  if (w.length > 5 && w.endsWith('ed')) return w.slice(0, -2);
  if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss')) return w.slice(0, -1);
  return w;
}

const wordsOf = (text: string): string[] => normalizeName(text).match(/[a-z0-9]+/g) ?? [];
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The part of a namespaced name after the last `__` (`demo__search_docs` → `search_docs`). */
export function shortName(name: string): string {
  return name.includes('__') ? name.slice(name.lastIndexOf('__') + 2) : name;
}

/** The ways a user may refer to a tool: its name, the part after `__`, and both with spaces for `_`/`-`. */
export function nameVariants(name: string): string[] {
  const short = shortName(name);
  return [...new Set([name.toLowerCase(), short.toLowerCase(), normalizeName(short), normalizeName(name)])].filter(Boolean);
}

/** How strongly `text` asks for `tool` (0 = not at all). */
export function scoreTool(tool: ToolParam, text: string): number {
  const lower = text.toLowerCase();
  const variants = nameVariants(tool.name);
  if (variants.some((v) => new RegExp(`\\buse\\s+(?:the\\s+)?${escape(v)}\\s+tool\\b`).test(lower))) return EXPLICIT;
  if (variants.some((v) => new RegExp(`(?<![\\w-])${escape(v)}(?![\\w-])`).test(lower))) return NAME;
  const said = new Set(wordsOf(text).map(stem));
  const nameWords = new Set(
    wordsOf(shortName(tool.name))
      .filter((w) => w.length >= 3 && !GENERIC_NAME_WORDS.has(w))
      .map(stem)
  );
  const descriptionWords = new Set(
    wordsOf(tool.description ?? '')
      .filter((w) => w.length >= 4 && !STOPWORDS.has(w))
      .map(stem)
  );
  let score = 0;
  for (const w of nameWords) if (said.has(w)) score += NAME_WORD;
  for (const w of descriptionWords) if (said.has(w) && !nameWords.has(w)) score += 1;
  return score;
}

/** Client tools only: server tools (a versioned `type`) are run by the API itself, never by this stand-in. */
export function customTools(tools: ToolParam[] | undefined): ToolParam[] {
  return (tools ?? []).filter((t) => {
    const type = (t as { type?: unknown }).type;
    return (type === undefined || type === 'custom') && typeof t.input_schema === 'object';
  });
}

/** The tool to call for this user text, honouring `tool_choice`; undefined means answer in text. */
export function selectTool(tools: ToolParam[] | undefined, text: string, choice?: ToolChoice): ToolParam | undefined {
  const candidates = customTools(tools);
  if (candidates.length === 0 || choice?.type === 'none') return undefined;
  if (choice?.type === 'tool') return candidates.find((t) => t.name === choice.name);
  let best: ToolParam | undefined;
  let bestScore = 0;
  for (const tool of candidates) {
    const score = scoreTool(tool, text);
    if (score > bestScore) [best, bestScore] = [tool, score];
  }
  if (bestScore >= THRESHOLD) return best;
  return choice?.type === 'any' ? candidates[0] : undefined;
}

/** The text spells the tool's name as it is written (`list_pods`, `demo__list_pods`), not just its words. */
function spelled(tool: ToolParam, text: string): boolean {
  const lower = text.toLowerCase();
  return [tool.name, shortName(tool.name)].some((n) =>
    new RegExp(`(?<![\\w-])${escape(n.toLowerCase())}(?![\\w-])`).test(lower)
  );
}

/**
 * The tools to call for this user text: every tool whose name the text spells out when it spells several and
 * parallel use is allowed, else the one `selectTool` picks. Empty means answer in text.
 */
export function selectTools(tools: ToolParam[] | undefined, text: string, choice?: ToolChoice): ToolParam[] {
  const one = selectTool(tools, text, choice);
  if (!one || choice?.type === 'tool' || choice?.disable_parallel_tool_use) return one ? [one] : [];
  const named = customTools(tools).filter((t) => spelled(t, text));
  return named.length > 1 ? named : [one];
}

/*
 * Strict validation of raw CloudEvents 1.0 attributes, before the SDK sees them. The SDK's HTTP.toEvent fills in a
 * missing id and specversion and does not check time formats, so on its own it accepts 16 of the 25 invalid
 * conformance vectors; this module rejects each one with a message naming the attribute.
 */

/** Context attributes defined by the spec; everything else is an extension. */
export const CORE_ATTRIBUTES = ['specversion', 'id', 'source', 'type', 'datacontenttype', 'dataschema', 'subject', 'time'];
/** Attributes CloudEvents 0.3 has instead of (or besides) 1.0's: `schemaurl` became `dataschema`; 1.0 dropped the other. */
export const V03_ATTRIBUTES = ['schemaurl', 'datacontentencoding'];
/** The versions a Knative broker accepts (knative/eventing parses both with the Go SDK and passes them on unchanged). */
export const SPEC_VERSIONS = ['1.0', '0.3'] as const;

/** Extension attributes the runtime stamps for observability. No routing or decision depends on them. */
export const EXTENSIONS = {
  correlationid: 'correlationid',
  causationid: 'causationid',
  healingid: 'healingid',
  sessionid: 'sessionid',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
  brokerTtl: 'knativebrokerttl',
  errorDest: 'knativeerrordest',
  errorCode: 'knativeerrorcode',
  errorData: 'knativeerrordata',
  arrivalTime: 'knativearrivaltime'
} as const;

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|([+-])(\d{2}):(\d{2}))$/;
const MEDIA_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*(\s*;.*)?$/;
const EXTENSION_NAME = /^[a-z0-9]+$/;
/**
 * What a CloudEvents String must not contain (spec "Type System", String): control characters (U+0000-U+001F,
 * U+007F-U+009F), surrogate code points not in a valid pair, and Unicode noncharacters.
 */
const FORBIDDEN_IN_STRING = /[\p{Cc}\p{Cs}\p{Noncharacter_Code_Point}]/u;

function forbiddenCharacter(name: string, value: string): string[] {
  const m = FORBIDDEN_IN_STRING.exec(value);
  if (!m) return [];
  const code = m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
  return [
    `${name}: contains U+${code} at position ${m.index}; CloudEvents strings must not hold control characters or noncharacters`
  ];
}

/** True when `value` is an RFC 3339 date-time (seconds required, offset `Z` or `±hh:mm`). */
export function isRfc3339(value: string): boolean {
  const m = RFC3339.exec(value);
  if (!m) return false;
  const [, , mo, d, h, mi, s, , , , oh, om] = m;
  if (+mo! < 1 || +mo! > 12 || +d! < 1 || +d! > 31 || +h! > 23 || +mi! > 59 || +s! > 60) return false;
  if (oh !== undefined && (+oh > 23 || +om! > 59)) return false;
  return !Number.isNaN(Date.parse(value.replace(/(\.\d{3})\d+/, '$1')));
}

function problemsOfString(name: string, value: unknown, required: boolean): string[] {
  if (value === undefined || value === null) return required ? [`${name}: required attribute is missing`] : [];
  if (typeof value !== 'string') return [`${name}: must be a string, got ${typeof value}`];
  if (value.length === 0) return [`${name}: must not be empty`];
  return forbiddenCharacter(name, value);
}

function problemsOfExtension(name: string, value: unknown): string[] {
  if (!EXTENSION_NAME.test(name)) return [`${name}: extension names must be lowercase letters and digits only`];
  if (typeof value === 'string') return forbiddenCharacter(name, value);
  if (value === null || value === undefined || typeof value === 'boolean') return [];
  if (typeof value === 'number') {
    return Number.isInteger(value) && value >= -2147483648 && value <= 2147483647
      ? []
      : [`${name}: extension value must be a 32-bit integer, got ${value}`];
  }
  return [`${name}: extension value must be a string, boolean or integer`];
}

/**
 * Lists what is wrong with a CloudEvent's attributes (structured-mode JSON object, or binary-mode headers mapped
 * to attribute names). An empty list means valid.
 *
 * @example
 * attributeProblems({ specversion: '1.0', id: '1', source: '/x', type: 't', time: 'lunchtime' });
 * // → ['time: must be an RFC 3339 timestamp, got "lunchtime"']
 */
export function attributeProblems(attrs: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const { specversion, id, source, type, datacontenttype, dataschema, subject, time } = attrs;
  problems.push(...problemsOfString('specversion', specversion, true));
  const v03 = specversion === '0.3';
  if (typeof specversion === 'string' && specversion !== '' && !(SPEC_VERSIONS as readonly string[]).includes(specversion)) {
    problems.push(`specversion: unsupported version "${specversion}" (${SPEC_VERSIONS.join(' or ')})`);
  }
  problems.push(...problemsOfString('id', id, true), ...problemsOfString('source', source, true));
  problems.push(...problemsOfString('type', type, true));
  problems.push(...problemsOfString('datacontenttype', datacontenttype, false));
  if (typeof datacontenttype === 'string' && datacontenttype !== '' && !MEDIA_TYPE.test(datacontenttype)) {
    problems.push(`datacontenttype: "${datacontenttype}" is not an RFC 2046 media type`);
  }
  problems.push(...problemsOfString('dataschema', dataschema, false), ...problemsOfString('subject', subject, false));
  problems.push(...problemsOfString('time', time, false));
  if (typeof time === 'string' && time !== '' && !isRfc3339(time)) {
    problems.push(`time: must be an RFC 3339 timestamp, got "${time}"`);
  }
  if ('data' in attrs && 'data_base64' in attrs) problems.push('data, data_base64: only one of them may be present');
  if (v03) problems.push(...v03Problems(attrs));
  for (const [name, value] of Object.entries(attrs)) {
    if (CORE_ATTRIBUTES.includes(name) || name === 'data' || name === 'data_base64') continue;
    if (v03 && V03_ATTRIBUTES.includes(name)) continue;
    problems.push(...problemsOfExtension(name, value));
  }
  return problems;
}

/** The attributes only CloudEvents 0.3 has: `schemaurl` (a non-empty URI-reference), `datacontentencoding` (base64). */
function v03Problems(attrs: Record<string, unknown>): string[] {
  const { schemaurl, datacontentencoding } = attrs;
  const problems = [...problemsOfString('schemaurl', schemaurl, false)];
  problems.push(...problemsOfString('datacontentencoding', datacontentencoding, false));
  if (
    typeof datacontentencoding === 'string' &&
    datacontentencoding !== '' &&
    datacontentencoding.toLowerCase() !== 'base64'
  )
    problems.push(`datacontentencoding: "${datacontentencoding}" is not base64, the only encoding CloudEvents 0.3 defines`);
  return problems;
}

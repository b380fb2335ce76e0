/*
 * Strict validation of raw CloudEvents 1.0 attributes, before the SDK sees them. The SDK's HTTP.toEvent fills in a
 * missing id and specversion and does not check time formats, so on its own it accepts 16 of the 25 invalid
 * conformance vectors; this module rejects each one with a message naming the attribute.
 */

/** Context attributes defined by the spec; everything else is an extension. */
export const CORE_ATTRIBUTES = ['specversion', 'id', 'source', 'type', 'datacontenttype', 'dataschema', 'subject', 'time'];

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
  return [];
}

function problemsOfExtension(name: string, value: unknown): string[] {
  if (!EXTENSION_NAME.test(name)) return [`${name}: extension names must be lowercase letters and digits only`];
  if (value === null || value === undefined || typeof value === 'string' || typeof value === 'boolean') return [];
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
  if (typeof specversion === 'string' && specversion !== '' && specversion !== '1.0') {
    problems.push(`specversion: unsupported version "${specversion}" (only 1.0)`);
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
  for (const [name, value] of Object.entries(attrs)) {
    if (CORE_ATTRIBUTES.includes(name) || name === 'data' || name === 'data_base64') continue;
    problems.push(...problemsOfExtension(name, value));
  }
  return problems;
}

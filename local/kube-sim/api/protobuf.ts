import { badRequest } from '../api-errors.js';

/*
 * Just enough of Kubernetes' protobuf encoding to read the access reviews some clients send as
 * `application/vnd.kubernetes.protobuf` (kubernetes-mcp-server posts its SelfSubjectAccessReview that way): the
 * `k8s\0` envelope around a runtime.Unknown, and the string fields of the review specs. Hand-written because these
 * few fields are all the simulator reads: a protobuf library would need the Kubernetes .proto files vendored.
 */

type Field = { wire: number; bytes?: Buffer; varint?: number };

function readVarint(buf: Buffer, at: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (let i = at; i < buf.length && i < at + 10; i++) {
    const b = buf[i]!;
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) return [value, i + 1];
  }
  throw badRequest('protobuf: truncated varint');
}

/** The fields of one message, by field number. */
export function readMessage(buf: Buffer): Map<number, Field[]> {
  const out = new Map<number, Field[]>();
  let at = 0;
  while (at < buf.length) {
    const [key, next] = readVarint(buf, at);
    at = next;
    const num = Math.floor(key / 8);
    const wire = key % 8;
    let field: Field;
    if (wire === 0) {
      const [v, n] = readVarint(buf, at);
      field = { wire, varint: v };
      at = n;
    } else if (wire === 2) {
      const [len, n] = readVarint(buf, at);
      if (n + len > buf.length) throw badRequest('protobuf: truncated field');
      field = { wire, bytes: buf.subarray(n, n + len) };
      at = n + len;
    } else if (wire === 1 || wire === 5) {
      field = { wire };
      at += wire === 1 ? 8 : 4;
    } else throw badRequest(`protobuf: unsupported wire type ${wire}`);
    const list = out.get(num) ?? [];
    list.push(field);
    out.set(num, list);
  }
  return out;
}

export const str = (m: Map<number, Field[]>, n: number): string | undefined => m.get(n)?.[0]?.bytes?.toString('utf8');
export const strs = (m: Map<number, Field[]>, n: number): string[] =>
  (m.get(n) ?? []).map((f) => f.bytes?.toString('utf8') ?? '');
export const msg = (m: Map<number, Field[]>, n: number): Map<number, Field[]> | undefined => {
  const b = m.get(n)?.[0]?.bytes;
  return b ? readMessage(b) : undefined;
};

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** Unwraps the `k8s\0` envelope: the object's apiVersion, kind and its own encoded bytes. */
export function unwrapEnvelope(body: Buffer): { apiVersion: string; kind: string; raw: Map<number, Field[]> } {
  if (!body.subarray(0, 4).equals(MAGIC)) throw badRequest('provided protobuf data has no "k8s\\x00" prefix');
  const unknown = readMessage(body.subarray(4));
  const typeMeta = msg(unknown, 1);
  return {
    apiVersion: (typeMeta && str(typeMeta, 1)) ?? '',
    kind: (typeMeta && str(typeMeta, 2)) ?? '',
    raw: msg(unknown, 2) ?? new Map()
  };
}

/** ResourceAttributes (1 namespace … 7 name) or NonResourceAttributes (1 path, 2 verb) as JSON would carry them. */
export function reviewSpecFromProtobuf(spec: Map<number, Field[]> | undefined): Record<string, unknown> {
  if (!spec) return {};
  const out: Record<string, unknown> = {};
  const ra = msg(spec, 1);
  if (ra) {
    const keys = ['namespace', 'verb', 'group', 'version', 'resource', 'subresource', 'name'];
    out['resourceAttributes'] = Object.fromEntries(
      keys.map((k, i) => [k, str(ra, i + 1)]).filter(([, v]) => v !== undefined && v !== '')
    );
  }
  const nra = msg(spec, 2);
  if (nra) out['nonResourceAttributes'] = { path: str(nra, 1) ?? '', verb: str(nra, 2) ?? '' };
  const user = str(spec, 3);
  if (user) out['user'] = user;
  const groups = strs(spec, 4);
  if (groups.length) out['groups'] = groups;
  const uid = str(spec, 6);
  if (uid) out['uid'] = uid;
  return out;
}

import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';

/*
 * The simulator's serving certificate: self-signed, ECDSA P-256, for 127.0.0.1, ::1 and localhost. Go clients
 * (kubectl, kubernetes-mcp-server) send their bearer token only over TLS, so the API is served over HTTPS too.
 * Node can sign but not build certificates, so this writes the few DER structures of one fixed certificate shape:
 * node-forge (the usual library) needs ~730 ms per process for its RSA path, this ~2 ms. Clients skip verification
 * (`insecure-skip-tls-verify`), as for any self-signed loopback server.
 */

const len = (n: number): Buffer => {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
};
const tlv = (tag: number, ...content: Buffer[]): Buffer => {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), len(body.length), body]);
};
const seq = (...c: Buffer[]): Buffer => tlv(0x30, ...c);
const set = (...c: Buffer[]): Buffer => tlv(0x31, ...c);
const oid = (hex: string): Buffer => tlv(0x06, Buffer.from(hex, 'hex'));
const utf8 = (s: string): Buffer => tlv(0x0c, Buffer.from(s, 'utf8'));
const octets = (b: Buffer): Buffer => tlv(0x04, b);
const bits = (b: Buffer): Buffer => tlv(0x03, Buffer.from([0]), b);
const explicit = (n: number, b: Buffer): Buffer => tlv(0xa0 + n, b);

/** GeneralizedTime for any year (UTCTime covers only 1950–2049, and RFC 5280 says GeneralizedTime after that). */
function time(d: Date): Buffer {
  const iso = d.toISOString();
  const text = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  const year = d.getUTCFullYear();
  return year >= 1950 && year < 2050 ? tlv(0x17, Buffer.from(text.slice(2))) : tlv(0x18, Buffer.from(text));
}

const ECDSA_WITH_SHA256 = seq(oid('2a8648ce3d040302')); // 1.2.840.10045.4.3.2
const COMMON_NAME = '550403'; // 2.5.4.3
const SUBJECT_ALT_NAME = '551d11'; // 2.5.29.17
const BASIC_CONSTRAINTS = '551d13'; // 2.5.29.19
const KEY_USAGE = '551d0f'; // 2.5.29.15
const EXT_KEY_USAGE = '551d25'; // 2.5.29.37
const SERVER_AUTH = '2b06010505070301'; // 1.3.6.1.5.5.7.3.1

export interface ServingCertificate {
  cert: string;
  key: string;
}

const pem = (label: string, der: Buffer): string =>
  `-----BEGIN ${label}-----\n${der
    .toString('base64')
    .match(/.{1,64}/g)!
    .join('\n')}\n-----END ${label}-----\n`;

/**
 * A certificate serial number from 16 random bytes: a positive INTEGER, minimally encoded, so its first byte is
 * 1-127 (DER forbids a leading zero byte, and a set top bit would make it negative).
 */
export function serialNumber(random: Buffer): Buffer {
  const serial = Buffer.from(random);
  serial[0] = 1 + (serial[0]! % 0x7f);
  return serial;
}

/** A fresh self-signed serving certificate valid from an hour ago for `days` days. */
export function selfSignedCertificate(commonName = 'kube-sim', days = 365): ServingCertificate {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const name = seq(set(seq(oid(COMMON_NAME), utf8(commonName))));
  const serial = serialNumber(randomBytes(16));
  const notBefore = new Date(Date.now() - 3_600_000);
  const notAfter = new Date(notBefore.getTime() + days * 86_400_000);
  const altNames = seq(
    tlv(0x87, Buffer.from([127, 0, 0, 1])),
    tlv(0x87, Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])),
    tlv(0x82, Buffer.from('localhost'))
  );
  const extensions = explicit(
    3,
    seq(
      seq(oid(BASIC_CONSTRAINTS), tlv(0x01, Buffer.from([0xff])), octets(seq())),
      seq(oid(KEY_USAGE), tlv(0x01, Buffer.from([0xff])), octets(tlv(0x03, Buffer.from([0x07, 0x80])))),
      seq(oid(EXT_KEY_USAGE), octets(seq(oid(SERVER_AUTH)))),
      seq(oid(SUBJECT_ALT_NAME), octets(altNames))
    )
  );
  const tbs = seq(
    explicit(0, tlv(0x02, Buffer.from([2]))),
    tlv(0x02, serial),
    ECDSA_WITH_SHA256,
    name,
    seq(time(notBefore), time(notAfter)),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    extensions
  );
  const signature = sign('sha256', tbs, privateKey);
  const cert = seq(tbs, ECDSA_WITH_SHA256, bits(signature));
  return { cert: pem('CERTIFICATE', cert), key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

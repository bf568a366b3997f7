/**
 * IP addresses as EventBridge's matcher reads them (aws/event-ruler, CIDR.java): a string that looks like an
 * IPv4 or IPv6 literal becomes its 4 or 16 bytes, an IPv4-mapped IPv6 address its 4 IPv4 bytes (Java's
 * InetAddress does so), and `cidr` filters compare the leading bits of addresses of the same length.
 */

const IPV4 = /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/;
const IPV6_CHARS = /^[0-9a-fA-F:.]*:[0-9a-fA-F:.]*$/;

/** The address's bytes (4 or 16), or undefined when the text is not an IP literal. */
export function ipBytes(text: string): number[] | undefined {
  if (IPV4.test(text)) return ipv4Bytes(text);
  if (IPV6_CHARS.test(text)) {
    const bytes = ipv6Bytes(text);
    if (!bytes) return undefined;
    const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
    return mapped ? bytes.slice(12) : bytes;
  }
  return undefined;
}

function ipv4Bytes(text: string): number[] | undefined {
  const bytes = text.split('.').map((part) => Number.parseInt(part, 10));
  return bytes.every((b) => b >= 0 && b <= 255) ? bytes : undefined;
}

function ipv6Bytes(text: string): number[] | undefined {
  let head = text;
  let tail: number[] = [];
  // An embedded IPv4 address in the last 32 bits (::ffff:10.0.0.1).
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    const v4 = ipv4Bytes(text.slice(lastColon + 1));
    if (!v4 || !IPV4.test(text.slice(lastColon + 1))) return undefined;
    tail = v4;
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const values = part.split(':').map((g) => (/^[0-9a-fA-F]{1,4}$/.test(g) ? Number.parseInt(g, 16) : Number.NaN));
    return values.some(Number.isNaN) ? undefined : values;
  };
  const left = groups(halves[0] ?? '');
  const right = halves.length === 2 ? groups(halves[1] ?? '') : [];
  if (!left || !right) return undefined;
  const missing = 8 - left.length - right.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...left, ...Array<number>(missing).fill(0), ...right];
  const bytes = all.flatMap((g) => [g >> 8, g & 0xff]);
  if (tail.length > 0) bytes.splice(12, 4, ...tail);
  return bytes;
}

/** A `cidr` filter: the network's bytes and how many leading bits an address must share with them. */
export interface CidrRange {
  readonly bytes: readonly number[];
  readonly bits: number;
}

/**
 * `10.0.0.0/24`, `2001:db8::/32`. EventBridge refuses a mask of 32 (IPv4) or 128 (IPv6) and more: the
 * matcher's ranges are built for at least two addresses (event-ruler CIDR.cidr: "IPv4 mask bits must be < 32").
 */
export function parseCidr(text: string): CidrRange | string {
  const parts = text.split('/');
  if (parts.length !== 2) return "malformed CIDR, one '/' required";
  const bits = /^[0-9]+$/.test(parts[1] ?? '') ? Number(parts[1]) : Number.NaN;
  if (!Number.isInteger(bits)) return 'malformed CIDR, mask bits must be an integer';
  const bytes = ipBytes(parts[0] ?? '');
  if (!bytes) return `invalid IP address: ${parts[0] ?? ''}`;
  const limit = bytes.length * 8;
  if (bits >= limit) return `${bytes.length === 4 ? 'IPv4' : 'IPv6'} mask bits must be < ${limit}`;
  return { bytes, bits };
}

export function inCidr(range: CidrRange, address: readonly number[]): boolean {
  if (address.length !== range.bytes.length) return false;
  for (let bit = 0; bit < range.bits; bit++) {
    const byte = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if (((address[byte] ?? 0) & mask) !== ((range.bytes[byte] ?? 0) & mask)) return false;
  }
  return true;
}

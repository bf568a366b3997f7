/**
 * What a worker has read from the payload store, kept for the next instances (issue 13; the Python SDK's
 * read_cache.py). Every instance of a fan-out is handed its upstream's output, whose long lists are
 * references to the store (`ork_items`, `$ork_ref`, `ork_results`); read once per instance, a stored list of
 * n items is read n times — quadratic, and on AWS one S3 GET of the whole list per instance. A stored object
 * never changes once a reference to it is handed on (its key names the execution, the task instance and the
 * attempt), so one process — a local worker, a warm Lambda container — reads each once.
 *
 * Entries are keyed by the execution (so that a reference is only ever answered from what was read, and
 * checked, for the same execution) and the upstream field as the payload holds it. They keep the resolved
 * value's JSON text, not objects: each reader parses its own copy, so an instance that changes its input
 * cannot change the next one's. The texts are bounded (`ORK_READ_CACHE_BYTES`, default 64 MiB; 0 turns the
 * cache off): the least recently used go first, and a text above the bound is not kept.
 */
import { Environment, Markers } from '../../contract/contract.js';

export const DEFAULT_CACHE_BYTES = 64 * 1024 * 1024;

export function cacheBytes(): number {
  const raw = process.env[Environment.readCacheBytes];
  const value = raw === undefined || raw === '' ? DEFAULT_CACHE_BYTES : Number(raw);
  return Number.isFinite(value) ? Math.max(0, value) : DEFAULT_CACHE_BYTES;
}

interface Entry {
  readonly text: string;
  /** What was worked out from the value once (its tolerated failures), by name. */
  readonly facts: Map<string, unknown>;
}

export class ReadCache {
  private readonly entries = new Map<string, Entry>();
  private readonly reading = new Map<string, Promise<string>>();
  private size = 0;
  /** Reads of the store through this cache (misses): what the tests count. */
  reads = 0;

  constructor(private readonly limit?: number) {}

  /** The JSON text of what `read()` resolves to for `key`, calling it only when nothing is kept. */
  async text(key: string, read: () => Promise<unknown>): Promise<string> {
    const entry = this.entries.get(key);
    if (entry) {
      // Most recently used last: a Map iterates in insertion order.
      this.entries.delete(key);
      this.entries.set(key, entry);
      return entry.text;
    }
    const pending = this.reading.get(key);
    if (pending) return pending;
    const reading = this.readAndKeep(key, read);
    this.reading.set(key, reading);
    try {
      return await reading;
    } finally {
      this.reading.delete(key);
    }
  }

  /** `compute()` once for as long as `key`'s value is kept (compute may read it through text()). */
  async fact<T>(key: string, name: string, compute: () => Promise<T>): Promise<T> {
    const known = this.entries.get(key)?.facts;
    if (known?.has(name)) return known.get(name) as T;
    const value = await compute();
    this.entries.get(key)?.facts.set(name, value);
    return value;
  }

  private async readAndKeep(key: string, read: () => Promise<unknown>): Promise<string> {
    this.reads += 1;
    const text = JSON.stringify(await read()) ?? 'null';
    const limit = this.limit ?? cacheBytes();
    if (limit > 0 && text.length <= limit) {
      this.entries.set(key, { text, facts: new Map() });
      this.size += text.length;
      for (const [oldest, entry] of this.entries) {
        if (this.size <= limit) break;
        this.entries.delete(oldest);
        this.size -= entry.text.length;
      }
    }
    return text;
  }
}

const caches = new WeakMap<object, ReadCache>();

/** The cache of one `References` (one per worker process or Lambda container). */
export function cacheFor(owner: object): ReadCache {
  let cache = caches.get(owner);
  if (!cache) {
    cache = new ReadCache();
    caches.set(owner, cache);
  }
  return cache;
}

function holds(value: unknown, test: (object: Record<string, unknown>) => boolean): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some((v) => holds(v, test));
  const object = value as Record<string, unknown>;
  if (test(object)) return true;
  for (const key in object) if (holds(object[key], test)) return true;
  return false;
}

/** Whether resolving `value` reads the store: a `$ork_ref`, `ork_items` or `ork_results` in it. */
export function containsReference(value: unknown): boolean {
  return holds(value, (o) => Markers.reference in o || Markers.items in o || Markers.results in o);
}

/** Whether `value` holds a Distributed Map's results (whose failures may sit inside its children's outputs). */
export function holdsResults(value: unknown): boolean {
  return holds(value, (o) => Markers.results in o);
}

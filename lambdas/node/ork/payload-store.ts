import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PayloadStoreError } from './errors.js';
import { isFailureMarker, splitFailures, type Failure } from './failures.js';
import { isObject } from './json-object.js';
import { isResultsReference, readResults } from './results.js';

/**
 * Large outputs go to a payload store and travel as references, because Step Functions caps a state's data
 * at 256 KiB: the same scheme as the Python SDK (`{"$ork_ref": url, "bytes": n}`, a directory locally, S3
 * on AWS, threshold ORK_LARGE_OUTPUT_BYTES, default 64 KiB), so tasks in either language read each other's.
 *
 * The machine's own references name a bucket and a key instead of a URL, because its Map states read them
 * (ItemReader, ResultWriter): `{"ork_items": {"bucket", "key", "count"}}` (a fan-out's source list) and
 * `{"ork_results": {"bucket", "key", "per_child"}}` (a Distributed Map's results, results.ts). Locally the
 * "bucket" is the store's directory, which an absolute path tells apart from any S3 bucket name.
 */
export const REF_KEY = '$ork_ref';
export const ITEMS_KEY = 'ork_items';
export const DEFAULT_THRESHOLD = 64 * 1024;

export interface PayloadStore {
  put(key: string, data: string): Promise<string>;
  get(url: string): Promise<string>;
  /** The bucket and key a Map state reads what `put(key, …)` wrote from. */
  location(key: string): { bucket: string; key: string };
}

export interface ItemsReference {
  readonly [ITEMS_KEY]: { readonly bucket: string; readonly key: string; readonly count: number };
}

export function largeOutputThreshold(): number {
  const raw = process.env.ORK_LARGE_OUTPUT_BYTES;
  if (raw === undefined || raw === '') return DEFAULT_THRESHOLD;
  const value = Number(raw);
  if (!Number.isInteger(value)) throw PayloadStoreError(`ORK_LARGE_OUTPUT_BYTES must be a number of bytes, got '${raw}'`);
  return value;
}

export class DirectoryStore implements PayloadStore {
  constructor(private readonly root: string) {}

  async put(key: string, data: string): Promise<string> {
    const file = path.resolve(this.root, key);
    mkdirSync(path.dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, data);
    renameSync(temporary, file);
    return pathToFileURL(file).href;
  }

  async get(url: string): Promise<string> {
    return readFileSync(fileURLToPath(url), 'utf8');
  }

  location(key: string): { bucket: string; key: string } {
    return { bucket: path.resolve(this.root), key };
  }
}

/** S3 through the AWS SDK, loaded only when used. */
export class S3Store implements PayloadStore {
  private client: Promise<{ put(bucket: string, key: string, body: string): Promise<void>; get(bucket: string, key: string): Promise<string> }> | undefined;

  constructor(
    private readonly bucket: string,
    private readonly prefix = '',
  ) {}

  private s3() {
    this.client ??= import('@aws-sdk/client-s3').then(({ S3Client, PutObjectCommand, GetObjectCommand }) => {
      const client = new S3Client({});
      return {
        put: async (bucket: string, key: string, body: string) => {
          await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/json' }));
        },
        get: async (bucket: string, key: string) => {
          const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
          return (await response.Body?.transformToString()) ?? '';
        },
      };
    });
    return this.client;
  }

  private fullKey(key: string): string {
    const prefix = this.prefix.replace(/^\/+|\/+$/g, '');
    return prefix ? `${prefix}/${key}` : key;
  }

  async put(key: string, data: string): Promise<string> {
    const full = this.fullKey(key);
    await (await this.s3()).put(this.bucket, full, data);
    return `s3://${this.bucket}/${full}`;
  }

  async get(url: string): Promise<string> {
    const parsed = new URL(url);
    return this.getObject(parsed.host, decodeURIComponent(parsed.pathname.replace(/^\//, '')));
  }

  async getObject(bucket: string, key: string): Promise<string> {
    return (await this.s3()).get(bucket, key);
  }

  location(key: string): { bucket: string; key: string } {
    return { bucket: this.bucket, key: this.fullKey(key) };
  }
}

export function storeFromEnvironment(): PayloadStore {
  const bucket = process.env.ORK_PAYLOAD_BUCKET;
  if (bucket) return new S3Store(bucket, process.env.ORK_PAYLOAD_PREFIX ?? '');
  return new DirectoryStore(process.env.ORK_PAYLOAD_DIR || path.join(os.tmpdir(), 'ork-payloads'));
}

function isReference(value: unknown): value is { [REF_KEY]: string } {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && typeof (value as Record<string, unknown>)[REF_KEY] === 'string' && Object.keys(value).length <= 2;
}

export function isItemsReference(value: unknown): value is ItemsReference {
  if (!isObject(value) || Object.keys(value).length !== 1) return false;
  const body = value[ITEMS_KEY];
  return isObject(body) && typeof body.bucket === 'string' && typeof body.key === 'string';
}

function containsReference(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (isReference(value) || isItemsReference(value) || isResultsReference(value)) return true;
  if (Array.isArray(value)) return value.some(containsReference);
  for (const key in value) if (containsReference((value as Record<string, unknown>)[key])) return true;
  return false;
}

/** Writes outputs above the threshold and reads references back, whichever store wrote them. */
export class References {
  private s3: S3Store | undefined;

  constructor(private readonly store: PayloadStore) {}

  /** The value itself when small; a reference to the stored JSON when not. `threshold` lowers the usual one
   * for this value (a fan-out instance's `output_spill_bytes`), never raises it. */
  async offload(value: unknown, key: string, threshold?: number): Promise<unknown> {
    const encoded = JSON.stringify(value) ?? 'null';
    const bytes = Buffer.byteLength(encoded);
    if (bytes <= Math.min(threshold ?? Number.POSITIVE_INFINITY, largeOutputThreshold())) return value;
    try {
      return { [REF_KEY]: await this.store.put(key, encoded), bytes };
    } catch (error) {
      throw PayloadStoreError(`could not store a ${bytes}-byte output at ${key}: ${error instanceof Error ? error.message : String(error)}`, error);
    }
  }

  /** Writes a fan-out's source list where the Distributed Map's ItemReader reads it. */
  async storeItems(items: readonly unknown[], key: string): Promise<ItemsReference> {
    const encoded = JSON.stringify(items);
    try {
      await this.store.put(key, encoded);
      const location = this.store.location(key);
      return { [ITEMS_KEY]: { bucket: location.bucket, key: location.key, count: items.length } };
    } catch (error) {
      throw PayloadStoreError(`could not store a list of ${items.length} items (${Buffer.byteLength(encoded)} bytes) at ${key}: ${error instanceof Error ? error.message : String(error)}`, error);
    }
  }

  /**
   * Replaces references, at any depth of lists and objects, by what they point to; what they point to may
   * hold references in turn (a child's output in a Distributed Map's results).
   */
  async resolve(value: unknown): Promise<unknown> {
    // Most inputs hold no reference: a synchronous scan leaves them as they are, where the recursive
    // Promise.all below would make a promise per element (an aggregate receives a whole fan-out's list).
    if (!containsReference(value)) return value;
    if (isReference(value)) return this.resolve(await this.load(value[REF_KEY]));
    if (isItemsReference(value)) return this.resolve(await this.readList(value[ITEMS_KEY].bucket, value[ITEMS_KEY].key));
    if (isResultsReference(value)) return this.resolve(await readResults(value, (bucket, key) => this.readJson(bucket, key)));
    if (Array.isArray(value)) return Promise.all(value.map((v) => this.resolve(v)));
    const entries = await Promise.all(Object.entries(value as object).map(async ([k, v]) => [k, await this.resolve(v)] as const));
    return Object.fromEntries(entries);
  }

  /** An upstream field resolved, without the tolerated failures in its list of outputs, and those. */
  async resolveOutputs(value: unknown): Promise<{ kept: unknown; failures: Failure[] }> {
    return splitFailures(await this.resolve(value));
  }

  /**
   * The tolerated failures of an upstream field the task does not read, reading no more than needed: markers
   * in an inline list, the FAILED files of a Distributed Map's results.
   */
  async failuresIn(value: unknown): Promise<Failure[]> {
    const list = isResultsReference(value) ? await readResults(value, (bucket, key) => this.readJson(bucket, key), { failuresOnly: true }) : value;
    return Array.isArray(list) ? splitFailures(list.filter(isFailureMarker)).failures : [];
  }

  private async readList(bucket: string, key: string): Promise<unknown[]> {
    const value = await this.readJson(bucket, key);
    if (!Array.isArray(value)) throw PayloadStoreError(`${ITEMS_KEY} at ${bucket}/${key} is not a JSON array`);
    return value;
  }

  /** JSON at a machine-written location: a file under the directory `bucket`, or an S3 object. */
  private async readJson(bucket: string, key: string): Promise<unknown> {
    try {
      let text: string;
      if (path.isAbsolute(bucket)) {
        text = readFileSync(path.join(bucket, key), 'utf8');
      } else {
        this.s3 ??= this.store instanceof S3Store ? this.store : new S3Store(bucket);
        text = await this.s3.getObject(bucket, key);
      }
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw PayloadStoreError(`could not read ${bucket}/${key}: ${error instanceof Error ? error.message : String(error)}`, error);
    }
  }

  private async load(url: string): Promise<unknown> {
    try {
      const scheme = new URL(url).protocol;
      let text: string;
      if (scheme === 's3:') {
        this.s3 ??= this.store instanceof S3Store ? this.store : new S3Store(new URL(url).host);
        text = await this.s3.get(url);
      } else if (scheme === 'file:') {
        text = readFileSync(fileURLToPath(url), 'utf8');
      } else {
        throw new Error(`unknown payload reference ${url}`);
      }
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw PayloadStoreError(`could not read payload reference ${url}: ${error instanceof Error ? error.message : String(error)}`, error);
    }
  }
}

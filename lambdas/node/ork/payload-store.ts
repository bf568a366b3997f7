import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PayloadStoreError } from './errors.js';

/**
 * Large outputs go to a payload store and travel as references, because Step Functions caps a state's data
 * at 256 KiB: the same scheme as the Python SDK (`{"$ork_ref": url, "bytes": n}`, a directory locally, S3
 * on AWS, threshold ORK_LARGE_OUTPUT_BYTES, default 64 KiB), so tasks in either language read each other's.
 */
export const REF_KEY = '$ork_ref';
export const DEFAULT_THRESHOLD = 64 * 1024;

export interface PayloadStore {
  put(key: string, data: string): Promise<string>;
  get(url: string): Promise<string>;
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

  async put(key: string, data: string): Promise<string> {
    const prefix = this.prefix.replace(/^\/+|\/+$/g, '');
    const full = prefix ? `${prefix}/${key}` : key;
    await (await this.s3()).put(this.bucket, full, data);
    return `s3://${this.bucket}/${full}`;
  }

  async get(url: string): Promise<string> {
    const parsed = new URL(url);
    return (await this.s3()).get(parsed.host, decodeURIComponent(parsed.pathname.replace(/^\//, '')));
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

function containsReference(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (isReference(value)) return true;
  if (Array.isArray(value)) return value.some(containsReference);
  for (const key in value) if (containsReference((value as Record<string, unknown>)[key])) return true;
  return false;
}

/** Writes outputs above the threshold and reads references back, whichever store wrote them. */
export class References {
  private s3: S3Store | undefined;

  constructor(private readonly store: PayloadStore) {}

  async offload(value: unknown, key: string): Promise<unknown> {
    const encoded = JSON.stringify(value) ?? 'null';
    const bytes = Buffer.byteLength(encoded);
    if (bytes <= largeOutputThreshold()) return value;
    try {
      return { [REF_KEY]: await this.store.put(key, encoded), bytes };
    } catch (error) {
      throw PayloadStoreError(`could not store a ${bytes}-byte output at ${key}: ${error instanceof Error ? error.message : String(error)}`, error);
    }
  }

  /** Replaces references, at any depth of lists and objects, by what they point to. */
  async resolve(value: unknown): Promise<unknown> {
    // Most inputs hold no reference: a synchronous scan leaves them as they are, where the recursive
    // Promise.all below would make a promise per element (an aggregate receives a whole fan-out's list).
    if (!containsReference(value)) return value;
    if (isReference(value)) return this.load(value[REF_KEY]);
    if (Array.isArray(value)) return Promise.all(value.map((v) => this.resolve(v)));
    const entries = await Promise.all(Object.entries(value as object).map(async ([k, v]) => [k, await this.resolve(v)] as const));
    return Object.fromEntries(entries);
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

import { mkdirSync, readFileSync, realpathSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Environment, Markers } from '../../contract/contract.js';
import { ForeignReferenceError, PayloadStoreError } from './errors.js';
import { isFailureMarker, splitFailures, type ToleratedFailure } from './failures.js';
import { isObject } from './json-object.js';
import { referenceWith } from './kept-fields.js';
import { isResultsReference, readResults, type ResultsReference } from './results.js';

/**
 * Large outputs go to a payload store and travel as references, because Step Functions caps a state's data
 * at 256 KiB: the same scheme as the Python SDK (`{"$ork_ref": url, "bytes": n}` with the fields a condition
 * downstream reads beside them, kept-fields.ts; a directory locally, S3 on AWS, threshold
 * ORK_LARGE_OUTPUT_BYTES, default 64 KiB), so tasks in either language read each other's.
 *
 * The machine's own references name a bucket and a key instead of a URL, because its Map states read them
 * (ItemReader, ResultWriter): `{"ork_items": {"bucket", "key", "count"}}` (a fan-out's source list) and
 * `{"ork_results": {"bucket", "key", "per_child"}}` (a Distributed Map's results, results.ts). Locally the
 * "bucket" is the store's directory, which an absolute path tells apart from any S3 bucket name.
 *
 * References are honoured only where the runtime itself writes for the execution at hand (`Scope`), as in
 * the Python SDK: on S3 the store's bucket, under `<prefix><workflow>/<execution>/` (Distributed Map
 * results: under `ork-results/<workflow>/`, every child record carrying this execution's id); locally the
 * run's payload folder (and those of the runs `ork run --resume` reuses outputs from, ORK_PAYLOAD_READ_DIRS).
 * Anything else fails with `Ork.ForeignReference` (docs/payload.md, "References").
 */
const REF_KEY = Markers.reference;
const ITEMS_KEY = Markers.items;
export const DEFAULT_THRESHOLD = 64 * 1024;
/** Where Distributed Maps write their results (ResultWriter Prefix `ork-results/<workflow>/<task>`). */
export const RESULTS_PREFIX = 'ork-results/';
/** Payload folders of earlier runs whose outputs `ork run --resume` reuses (path.delimiter-separated). */
const READ_DIRS_VARIABLE = Environment.payloadReadDirs;

export type ReferenceKind = 'ref' | 'items' | 'results';

/** `<workflow>/<execution>/`: how every key the runtime writes for this execution begins (under the store's prefix). */
export function executionPrefix(workflow: string, executionId: string): string {
  const execution = (executionId.split(':').pop() || 'local').replace(/[^A-Za-z0-9._-]+/g, '_');
  return `${workflow}/${execution}/`;
}

/**
 * The execution whose references are honoured, as its payload names it. A Distributed Map's children are
 * handed the parent's `execution_id`, so they share the parent's scope.
 */
export class Scope {
  readonly prefix: string;
  constructor(
    readonly workflow: string,
    readonly executionId: string,
  ) {
    this.prefix = executionPrefix(workflow, executionId);
  }
}

export interface PayloadStore {
  put(key: string, data: string): Promise<string>;
  get(url: string): Promise<string>;
  /** The bucket and key a Map state reads what `put(key, …)` wrote from. */
  location(key: string): { bucket: string; key: string };
  /** Whether a `$ork_ref` URL is this store's, within the scope. */
  ownsUrl?(url: string, scope: Scope | undefined): boolean;
  /** Whether a machine reference's bucket and key (`ork_items`, `ork_results` and its files) are this store's. */
  ownsLocation?(bucket: string, key: string, scope: Scope | undefined, kind: ReferenceKind): boolean;
  /** Whether a Distributed Map child record (its Input) belongs to the scope's execution. */
  ownsRecord?(childInput: unknown, scope: Scope | undefined): boolean;
  /** Where references are honoured, for error messages. */
  describe?(scope: Scope | undefined): string;
}

/** No empty, "." or ".." segment: an HTTP client could normalise `a/../b` into another key than checked. */
function plainKey(key: string): boolean {
  return key !== '' && key.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}

function inside(file: string, root: string): boolean {
  return file.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

/** What opening the path would open: symlinks and ".." resolved (as far as the path exists). */
function realPath(file: string): string {
  const absolute = path.resolve(file);
  try {
    return realpathSync(absolute);
  } catch {
    // Not there (yet): its nearest existing ancestor resolved, the rest as written.
    const parent = path.dirname(absolute);
    return parent === absolute ? absolute : path.join(realPath(parent), path.basename(absolute));
  }
}

/** The `execution_id` a Distributed Map child ran with: in its Input, or its batch's BatchInput. */
export function executionOf(childInput: unknown): unknown {
  if (!isObject(childInput)) return undefined;
  if (Object.hasOwn(childInput, 'execution_id')) return childInput.execution_id;
  return isObject(childInput.BatchInput) ? childInput.BatchInput.execution_id : undefined;
}

export interface ItemsReference {
  readonly [ITEMS_KEY]: { readonly bucket: string; readonly key: string; readonly count: number };
}

export function largeOutputThreshold(): number {
  const raw = process.env[Environment.largeOutputBytes];
  if (raw === undefined || raw === '') return DEFAULT_THRESHOLD;
  const value = Number(raw);
  if (!Number.isInteger(value)) throw PayloadStoreError(`${Environment.largeOutputBytes} must be a number of bytes, got '${raw}'`);
  return value;
}

export class DirectoryStore implements PayloadStore {
  private readonly readRoots: readonly string[];

  /** `readRoots`: the payload folders of the runs a resumed run reuses outputs from, where references are honoured too. */
  constructor(
    private readonly root: string,
    readRoots: readonly string[] = [],
  ) {
    this.readRoots = [root, ...readRoots.filter(Boolean)].map(realPath);
  }

  describe(): string {
    return `the run's payload folder ${path.resolve(this.root)}`;
  }

  ownsUrl(url: string): boolean {
    let file: string;
    try {
      file = fileURLToPath(url); // throws for another scheme, or a file: URL naming another host
    } catch {
      return false;
    }
    return this.ownsPath(file);
  }

  ownsLocation(bucket: string, key: string): boolean {
    return path.isAbsolute(bucket) && this.ownsPath(path.join(bucket, key));
  }

  ownsRecord(): boolean {
    // The folder is the run's own: a record there is this run's (or a resumed one's, which it reuses).
    return true;
  }

  ownsPath(file: string): boolean {
    const real = realPath(file);
    return this.readRoots.some((root) => inside(real, root));
  }

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

  describe(scope: Scope | undefined): string {
    return `s3://${this.bucket}/${this.fullKey(scope ? scope.prefix : '')} (and ${RESULTS_PREFIX}${scope ? `${scope.workflow}/` : ''} for Distributed Map results)`;
  }

  ownsUrl(url: string, scope: Scope | undefined): boolean {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return false;
    }
    if (parsed.protocol !== 's3:') return false;
    let key: string;
    try {
      key = decodeURIComponent(parsed.pathname.replace(/^\//, '')); // the key get() reads
    } catch {
      return false;
    }
    return this.ownsLocation(parsed.host, key, scope, 'ref');
  }

  ownsLocation(bucket: string, key: string, scope: Scope | undefined, kind: ReferenceKind): boolean {
    if (bucket !== this.bucket || !plainKey(key)) return false;
    // A Map Run's key (<prefix>/<map run id>/…) does not name the execution: its records do (ownsRecord).
    if (kind === 'results') return key.startsWith(scope ? `${RESULTS_PREFIX}${scope.workflow}/` : RESULTS_PREFIX);
    return key.startsWith(this.fullKey(scope ? scope.prefix : ''));
  }

  ownsRecord(childInput: unknown, scope: Scope | undefined): boolean {
    return scope === undefined || executionOf(childInput) === scope.executionId;
  }
}

export function readRootsFromEnvironment(): string[] {
  return (process.env[READ_DIRS_VARIABLE] ?? '').split(path.delimiter).filter(Boolean);
}

export function storeFromEnvironment(): PayloadStore {
  const bucket = process.env[Environment.payloadBucket];
  if (bucket) return new S3Store(bucket, process.env[Environment.payloadPrefix] ?? '');
  return new DirectoryStore(process.env[Environment.payloadDir] || path.join(os.tmpdir(), 'ork-payloads'), readRootsFromEnvironment());
}

/** A `$ork_ref` URL, whatever else the object holds (its size, the fields kept for conditions). */
export function isReference(value: unknown): value is { [REF_KEY]: string } {
  return isObject(value) && typeof value[REF_KEY] === 'string';
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

/**
 * Writes outputs above the threshold and reads references back from this runtime's own store, within the
 * scope of the execution at hand (`Scope`; without one, anywhere in the store).
 */
export class References {
  constructor(private readonly store: PayloadStore) {}

  /**
   * The value itself when small; a reference to the stored JSON when not, with the fields at the paths `keep`
   * (the payload's `condition_fields`) and the `ork_items` at `keepItems` (its `fan_out_fields`) beside it.
   * `threshold` lowers the usual one for this value (a fan-out instance's `output_spill_bytes`), never raises it.
   */
  async offload(
    value: unknown,
    key: string,
    threshold?: number,
    keep: readonly (readonly string[])[] = [],
    keepItems: readonly (readonly string[])[] = [],
  ): Promise<unknown> {
    const encoded = JSON.stringify(value) ?? 'null';
    const bytes = Buffer.byteLength(encoded);
    if (bytes <= Math.min(threshold ?? Number.POSITIVE_INFINITY, largeOutputThreshold())) return value;
    try {
      return referenceWith(await this.store.put(key, encoded), bytes, value, keep, keepItems);
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
      throw PayloadStoreError(
        `could not store a list of ${items.length} items (${Buffer.byteLength(encoded)} bytes) at ${key}: ${error instanceof Error ? error.message : String(error)}`,
        error,
      );
    }
  }

  /**
   * Replaces references, at any depth of lists and objects, by what they point to; what they point to may
   * hold references in turn (a child's output in a Distributed Map's results), checked alike.
   */
  async resolve(value: unknown, scope?: Scope): Promise<unknown> {
    // Most inputs hold no reference: a synchronous scan leaves them as they are, where the recursive
    // Promise.all below would make a promise per element (an aggregate receives a whole fan-out's list).
    if (!containsReference(value)) return value;
    if (isReference(value)) return this.resolve(await this.load(value[REF_KEY], scope), scope);
    if (isItemsReference(value)) return this.resolve(await this.readList(value[ITEMS_KEY].bucket, value[ITEMS_KEY].key, scope), scope);
    if (isResultsReference(value)) return this.resolve(await this.readResultsOf(value, scope), scope);
    if (Array.isArray(value)) return Promise.all(value.map((v) => this.resolve(v, scope)));
    const entries = await Promise.all(Object.entries(value as object).map(async ([k, v]) => [k, await this.resolve(v, scope)] as const));
    return Object.fromEntries(entries);
  }

  /** An upstream field resolved, without the tolerated failures in its list of outputs, and those. */
  async resolveOutputs(value: unknown, scope?: Scope): Promise<{ kept: unknown; failures: ToleratedFailure[] }> {
    return splitFailures(await this.resolve(value, scope));
  }

  /**
   * The tolerated failures of an upstream field the task does not read, reading no more than needed: markers
   * in an inline list, the FAILED files of a Distributed Map's results.
   */
  async failuresIn(value: unknown, scope?: Scope): Promise<ToleratedFailure[]> {
    const list = isResultsReference(value) ? await this.readResultsOf(value, scope, { failuresOnly: true }) : value;
    return Array.isArray(list) ? splitFailures(list.filter(isFailureMarker)).failures : [];
  }

  /**
   * Refuses an `ork_items` reference outside the scope, before the machine's ItemReader reads it: a task's
   * output field may hold one it did not write (its params, passed on).
   */
  checkItems(value: unknown, scope?: Scope): void {
    if (isItemsReference(value)) this.checkLocation(value[ITEMS_KEY].bucket, value[ITEMS_KEY].key, 'items', scope);
  }

  private refuse(what: string, scope: Scope | undefined): Error {
    const where = this.store.describe ? this.store.describe(scope) : this.store.constructor.name;
    const execution = scope ? ` of execution ${scope.executionId}` : '';
    return ForeignReferenceError(
      `${what} is outside this execution's payload store (${where})${execution}: references are read only where the runtime writes for the execution; pass data, not references`,
    );
  }

  private checkLocation(bucket: string, key: string, kind: ReferenceKind, scope: Scope | undefined): void {
    if (!this.store.ownsLocation?.(bucket, key, scope, kind))
      throw this.refuse(`${kind === 'items' ? ITEMS_KEY : Markers.results} reference to ${bucket}/${key}`, scope);
  }

  private readResultsOf(value: ResultsReference, scope: Scope | undefined, options: { failuresOnly?: boolean } = {}): Promise<unknown[]> {
    const checkInput = (childInput: unknown): void => {
      if (!this.store.ownsRecord?.(childInput, scope)) {
        const { bucket, key } = value[Markers.results];
        throw this.refuse(
          `${Markers.results} reference to ${bucket}/${key} (a child record of execution ${JSON.stringify(executionOf(childInput)) ?? 'None'})`,
          scope,
        );
      }
    };
    return readResults(value, (bucket, key) => this.readJson(bucket, key, 'results', scope), { ...options, checkInput });
  }

  private async readList(bucket: string, key: string, scope: Scope | undefined): Promise<unknown[]> {
    const value = await this.readJson(bucket, key, 'items', scope);
    if (!Array.isArray(value)) throw PayloadStoreError(`${ITEMS_KEY} at ${bucket}/${key} is not a JSON array`);
    return value;
  }

  /** JSON at a machine-written location of this store: a file under the directory `bucket`, or an object of the store's bucket. */
  private async readJson(bucket: string, key: string, kind: ReferenceKind, scope: Scope | undefined): Promise<unknown> {
    this.checkLocation(bucket, key, kind, scope);
    try {
      let text: string;
      if (path.isAbsolute(bucket)) {
        text = readFileSync(path.join(bucket, key), 'utf8');
      } else {
        // ownsLocation admits bucket names on S3 stores only.
        if (!(this.store instanceof S3Store)) throw new Error(`${this.store.constructor.name} cannot read S3 objects`);
        text = await this.store.getObject(bucket, key);
      }
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw PayloadStoreError(`could not read ${bucket}/${key}: ${error instanceof Error ? error.message : String(error)}`, error);
    }
  }

  private async load(url: string, scope: Scope | undefined): Promise<unknown> {
    if (!this.store.ownsUrl?.(url, scope)) throw this.refuse(`payload reference ${url}`, scope);
    try {
      const scheme = new URL(url).protocol;
      let text: string;
      if (scheme === 's3:' && this.store instanceof S3Store) {
        text = await this.store.get(url);
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

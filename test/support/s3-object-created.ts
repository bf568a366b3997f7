import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES_DIR } from './workflows.js';

/** AWS's documented S3 "Object Created" EventBridge event (test/fixtures/events/s3-object-created.json), and copies of it for another bucket or key. */

/** The event as AWS documents it (a type, not an interface, so it is assignable to the JSON object types of lib/events). */
export type S3ObjectCreatedEvent = {
  readonly version: string;
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: {
    readonly version: string;
    readonly bucket: { readonly name: string };
    readonly object: {
      readonly key: string;
      readonly size: number;
      readonly etag: string;
      readonly 'version-id': string;
      readonly sequencer: string;
    };
    readonly 'request-id': string;
    readonly requester: string;
    readonly 'source-ip-address': string;
    readonly reason: string;
  };
};

const DOCUMENTED = JSON.parse(readFileSync(path.join(FIXTURES_DIR, 'events', 's3-object-created.json'), 'utf8')) as S3ObjectCreatedEvent;

/**
 * A fresh copy of the documented event (a test may change it without touching another's), with another bucket
 * (its name and the resource ARN) and key when given; everything else as AWS wrote it.
 */
export function s3ObjectCreated(copy: { readonly bucket?: string; readonly key?: string } = {}): S3ObjectCreatedEvent {
  const event = structuredClone(DOCUMENTED);
  const bucket = copy.bucket ?? event.detail.bucket.name;
  return {
    ...event,
    resources: copy.bucket === undefined ? event.resources : [`arn:aws:s3:::${bucket}`],
    detail: { ...event.detail, bucket: { name: bucket }, object: { ...event.detail.object, key: copy.key ?? event.detail.object.key } },
  };
}

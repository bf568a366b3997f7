import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** One child execution as a Distributed Map's ResultWriter records it (AWS's result file format). */
export interface ChildExecutionRecord {
  readonly ExecutionArn: string;
  readonly Input: string;
  readonly InputDetails: { readonly Included: true };
  readonly Name: string;
  readonly Output?: string;
  readonly OutputDetails?: { readonly Included: true };
  readonly Error?: string;
  readonly Cause?: string;
  readonly RedriveCount: 0;
  readonly RedriveStatus: 'NOT_REDRIVABLE';
  readonly StartDate: string;
  readonly StateMachineArn: string;
  readonly Status: 'SUCCEEDED' | 'FAILED';
  readonly StopDate: string;
}

interface ResultFile {
  readonly Key: string;
  readonly Size: number;
}

/** What a Map state with a ResultWriter outputs on AWS; `Key` is the manifest's. */
export interface ResultWriterDetails {
  readonly Bucket: string;
  readonly Key: string;
}

/**
 * The ResultWriter of one Map run, locally: the bucket is a directory, and under `<Bucket>/<Prefix>/<map run
 * id>/` it writes what AWS writes to S3: `manifest.json` and the result files `SUCCEEDED_<n>.json`,
 * `FAILED_<n>.json` (JSON arrays of child records), keys relative to the bucket. Records are written in
 * files of RECORDS_PER_FILE as children end, so a 100,000-child run never holds more than one file's worth.
 */
export class MapRunResults {
  /** AWS splits result files by size (5 GB); locally a record count keeps each write and its memory small. */
  static readonly RECORDS_PER_FILE = 10_000;
  private readonly directoryKey: string;
  private readonly pending = { SUCCEEDED: [] as string[], FAILED: [] as string[] };
  private readonly files = { SUCCEEDED: [] as ResultFile[], FAILED: [] as ResultFile[] };

  constructor(
    private readonly bucket: string,
    prefix: string,
    mapRunId: string,
    private readonly mapRunArn: string,
  ) {
    this.directoryKey = [prefix.replace(/^\/+|\/+$/g, ''), mapRunId].filter(Boolean).join('/');
    mkdirSync(path.join(bucket, this.directoryKey), { recursive: true });
  }

  add(record: ChildExecutionRecord): void {
    const pending = this.pending[record.Status];
    pending.push(JSON.stringify(record));
    if (pending.length >= MapRunResults.RECORDS_PER_FILE) this.flush(record.Status);
  }

  private flush(status: ChildExecutionRecord['Status']): void {
    const pending = this.pending[status];
    if (pending.length === 0) return;
    const key = `${this.directoryKey}/${status}_${this.files[status].length}.json`;
    const text = `[${pending.join(',')}]`;
    writeFileSync(path.join(this.bucket, key), text);
    this.files[status].push({ Key: key, Size: Buffer.byteLength(text) });
    this.pending[status] = [];
  }

  /** Writes what is left and the manifest; returns what the Map state outputs. */
  finish(): ResultWriterDetails {
    this.flush('SUCCEEDED');
    this.flush('FAILED');
    const key = `${this.directoryKey}/manifest.json`;
    const manifest = {
      DestinationBucket: this.bucket,
      MapRunArn: this.mapRunArn,
      ResultFiles: { FAILED: this.files.FAILED, PENDING: [], SUCCEEDED: this.files.SUCCEEDED },
    };
    writeFileSync(path.join(this.bucket, key), JSON.stringify(manifest));
    return { Bucket: this.bucket, Key: key };
  }
}

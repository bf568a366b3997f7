/** Where log lines and metric records go: stdout on Lambda (CloudWatch reads it), a list in the local worker. */
export interface Sink {
  emit(record: Record<string, unknown>): void;
}

/** JSON text that never holds NaN or Infinity (they are not JSON), written as strings instead. */
export function jsonLine(record: unknown): string {
  return JSON.stringify(record, (_, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? String(value) : value));
}

export class StreamSink implements Sink {
  emit(record: Record<string, unknown>): void {
    process.stdout.write(`${jsonLine(record)}\n`);
  }
}

export class ListSink implements Sink {
  readonly records: Record<string, unknown>[] = [];

  emit(record: Record<string, unknown>): void {
    this.records.push(JSON.parse(jsonLine(record)) as Record<string, unknown>);
  }
}

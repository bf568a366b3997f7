import { describe, expect, it } from 'vitest';
import { AttemptFailure, failedAttemptOf } from '../../lib/local/attempt-failure.js';
import type { AttemptRecord } from '../../lib/local/run-events.js';
import { DataLimitExceeded } from '../../lib/local/state-data-limit.js';
import { TaskFailure } from '../../lib/local/task-handlers.js';

/**
 * A task handler's error carries the attempt it ended as a field (no side table keyed by the error): the
 * interpreter must see the same error as before (name, message, isRetryable / isCatchable), and whoever
 * reports the failure reads the attempt from it.
 */

const attempt: AttemptRecord = {
  id: { task: 'score', itemIndex: 3 },
  key: 'score/item-3',
  label: 'score[item 3]',
  attempt: 2,
  startedAt: 0,
  status: 'failed',
  input: {},
};

describe('AttemptFailure', () => {
  it('stands in for the error it wraps: name, message and cause', () => {
    const error = new TaskFailure('ValueError', 'boom', 'Traceback …');
    const failure = new AttemptFailure(attempt, error);
    expect(failure).toBeInstanceOf(Error);
    expect(failure.name).toBe('ValueError');
    expect(failure.message).toBe('boom');
    expect(failure.cause).toBe(error);
    expect(failure.attempt).toBe(attempt);
  });

  it('keeps what the interpreter reads to leave an error to no retrier or catcher', () => {
    const terminal = new AttemptFailure(attempt, new DataLimitExceeded('score', 300_000, 'the output'));
    expect(terminal.name).toBe('States.DataLimitExceeded');
    expect(terminal.isRetryable).toBe(false);
    expect(terminal.isCatchable).toBe(false);
    const ordinary = new AttemptFailure(attempt, new TaskFailure('ValueError', 'boom'));
    expect(ordinary.isRetryable).toBeUndefined();
    expect(ordinary.isCatchable).toBeUndefined();
  });
});

describe('failedAttemptOf', () => {
  it('reads the attempt of an AttemptFailure, and finds none on any other value', () => {
    expect(failedAttemptOf(new AttemptFailure(attempt, new Error('x')))).toBe(attempt);
    for (const other of [new TaskFailure('ValueError', 'boom'), new Error('x'), 'text', undefined, null, { attempt }])
      expect(failedAttemptOf(other)).toBeUndefined();
  });
});

import { Codes, makeDiagnostic, type Diagnostic } from '../../diagnostics/index.js';
import { DISTRIBUTED_MAX_CONCURRENCY, fanOutKinds, fanOutLimit, INLINE_FAN_OUT_LIMIT, type TaskSpec } from '../../model/index.js';
import type { SourceMap } from '../../parse/index.js';
import { rawTask, type ValidationContext, type ValidationRule } from './validation-rule.js';

const FAN_OUT_ONLY_KEYS = ['mode', 'batch_size', 'tolerate_failures'] as const;

function locate(sourceMap: SourceMap, task: TaskSpec, key: string): ReturnType<SourceMap['locate']> {
  return sourceMap.locate(['tasks', task.name, key]);
}

function checkTask(task: TaskSpec, context: ValidationContext): Diagnostic[] {
  const found: Diagnostic[] = [];
  const { sourceMap } = context;
  const raw = rawTask(context, ['tasks', task.name]);
  const fanOut = task.fanOut;
  // What the user wrote decides: a foreach: that failed its own check still means the task fans out.
  const writesFanOut = raw?.parallel !== undefined || raw?.foreach !== undefined;
  if (!writesFanOut) {
    if (raw?.concurrency !== undefined) {
      found.push(
        makeDiagnostic(
          Codes.concurrencyWithoutFanOut,
          sourceMap.locate(['tasks', task.name, 'concurrency'], 'key'),
          `task '${task.name}': concurrency has no effect without parallel: or foreach:`,
          'remove it, or add parallel: or foreach:',
        ),
      );
    }
    for (const key of FAN_OUT_ONLY_KEYS) {
      if (raw?.[key] !== undefined) {
        found.push(
          makeDiagnostic(
            Codes.fanOutOptionWithoutFanOut,
            sourceMap.locate(['tasks', task.name, key], 'key'),
            `task '${task.name}': ${key} has no effect without parallel: or foreach:`,
            'remove it, or add parallel: or foreach:',
          ),
        );
      }
    }
    return found;
  }
  if (!fanOut) return found;
  const parallel = fanOut.parallel;
  if (parallel?.kind === 'static') {
    const limit = fanOutLimit(fanOut);
    if (parallel.count > limit.count) {
      found.push(
        makeDiagnostic(
          Codes.fanOutTooLarge,
          parallel.span,
          `task '${task.name}': parallel: ${parallel.count} is above ${limit.count.toLocaleString('en-US')}, ${limit.why}`,
          limit.hint,
        ),
      );
    }
  }
  if (fanOut.batchSize !== undefined) {
    if (fanOut.mode === 'inline') {
      found.push(
        makeDiagnostic(
          Codes.conflictingFanOutOptions,
          locate(sourceMap, task, 'batch_size'),
          `task '${task.name}': batch_size needs a Distributed Map, and mode is inline`,
          'remove mode: inline, or remove batch_size',
        ),
      );
    }
    if (fanOut.foreach && fanOut.parallel) {
      found.push(
        makeDiagnostic(
          Codes.conflictingFanOutOptions,
          locate(sourceMap, task, 'batch_size'),
          `task '${task.name}': batch_size works with foreach: or parallel:, not both`,
          'remove batch_size, or fan out over one of them',
        ),
      );
    }
  }
  if (fanOut.concurrency !== undefined) {
    if (fanOut.concurrency > DISTRIBUTED_MAX_CONCURRENCY) {
      found.push(
        makeDiagnostic(
          Codes.conflictingFanOutOptions,
          locate(sourceMap, task, 'concurrency'),
          `task '${task.name}': concurrency: ${fanOut.concurrency} is above the ${DISTRIBUTED_MAX_CONCURRENCY.toLocaleString('en-US')} child executions a Distributed Map runs at once`,
          `use at most ${DISTRIBUTED_MAX_CONCURRENCY}`,
        ),
      );
    } else if (fanOut.mode === 'inline' && fanOut.concurrency > INLINE_FAN_OUT_LIMIT) {
      found.push(
        makeDiagnostic(
          Codes.inlineConcurrency,
          locate(sourceMap, task, 'concurrency'),
          `task '${task.name}': an inline Map runs about ${INLINE_FAN_OUT_LIMIT} instances at once on AWS, whatever concurrency says`,
          'remove mode: inline to run up to 10,000 at once',
        ),
      );
    }
  }
  return found;
}

/** A foreach source read by an inline-only fan-out and by one that may need it stored: they cannot agree. */
function sharedSources(context: ValidationContext): Diagnostic[] {
  const bySource = new Map<string, TaskSpec[]>();
  for (const task of context.spec.tasks) {
    const foreach = task.fanOut?.foreach;
    if (!foreach) continue;
    bySource.set(foreach.text, [...(bySource.get(foreach.text) ?? []), task]);
  }
  const found: Diagnostic[] = [];
  for (const [source, readers] of bySource) {
    const inlineOnly = readers.filter((t) => t.fanOut && !fanOutKinds(t.fanOut).distributed);
    const distributed = readers.filter((t) => t.fanOut && fanOutKinds(t.fanOut).distributed);
    const first = distributed[0];
    if (!first) continue;
    for (const task of inlineOnly) {
      found.push(
        makeDiagnostic(
          Codes.sharedFanOutSource,
          task.fanOut?.foreach?.span ?? task.span,
          `task '${task.name}': foreach: ${source} runs inline, but '${first.name}' may run distributed over the same list, which then reaches '${task.name}' stored, not in the state`,
          `remove mode: inline from '${task.name}'`,
        ),
      );
    }
  }
  return found;
}

/** ORK217, ORK218, ORK223–ORK226: fan-outs the compiled machine can serve, and options only where they act. */
export const fanOutRule: ValidationRule = {
  name: 'fan-out',
  check(context) {
    return [...context.spec.tasks.flatMap((task) => checkTask(task, context)), ...sharedSources(context)];
  },
};

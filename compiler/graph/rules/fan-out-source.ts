import { Codes, makeDiagnostic, type Diagnostic } from '../../diagnostics/index.js';
import type { FieldReference } from '../../model/index.js';
import type { GraphRule } from './graph-rule.js';

/** ORK304: a fan-out reads its count or list from one output, so the source must run as a single instance. */
export const fanOutSourceRule: GraphRule = {
  name: 'fan-out-source',
  check({ graph }) {
    const found: Diagnostic[] = [];
    for (const task of graph.spec.tasks) {
      const refs: [string, FieldReference][] = [];
      if (task.fanOut?.foreach) refs.push(['foreach', task.fanOut.foreach]);
      if (task.fanOut?.parallel?.kind === 'reference') refs.push(['parallel', task.fanOut.parallel.ref]);
      for (const [key, ref] of refs) {
        const source = graph.tasks.get(ref.task);
        if (source?.fanOut && ref.task !== task.name) {
          found.push(
            makeDiagnostic(
              Codes.fanOutSourceFansOut,
              ref.span,
              `task '${task.name}': ${key}: ${ref.text} reads a field of '${ref.task}', which fans out into many outputs`,
              `add a task after '${ref.task}' that combines its outputs into one ${key === 'foreach' ? 'list' : 'count'}, and reference that task`,
            ),
          );
        }
      }
    }
    return found;
  },
};

import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { compile, permissiveHost } from '../../compiler/index.js';
import { executionView, mapRunsOf } from '../../lib/cloud/execution-view.js';
import { readWorkflowShape } from '../../lib/cloud/workflow-shape.js';

/**
 * `ork status` of a distributed fan-out: its children's events are not in the parent's history, so the
 * view takes the task's counts from the Map Run (DescribeMapRun's itemCounts), attributed to the task
 * through the MapRunStarted event's chain back to the Map state.
 */

const source = `name: shape
tasks:
  make:
    file: tasks/make.py
  score:
    file: tasks/score.py
    foreach: make.ids
    concurrency: 200
  report:
    file: tasks/report.py
    depends_on: score
`;

function shape() {
  const result = compile({ file: 'workflow.yaml', source, host: permissiveHost() });
  if (!result.definition) throw new Error(JSON.stringify(result.diagnostics));
  return readWorkflowShape(result.definition, 'shape');
}

const at = (seconds: number) => new Date(Date.UTC(2026, 10, 27, 12, 0, seconds));

/** The parent's history of a run whose score fan-out is a Distributed Map: no child task events in it. */
const history: HistoryEvent[] = [
  { id: 1, type: 'ExecutionStarted', timestamp: at(0) },
  { id: 2, previousEventId: 1, type: 'TaskStateEntered', stateEnteredEventDetails: { name: 'make' }, timestamp: at(1) },
  { id: 3, previousEventId: 2, type: 'LambdaFunctionScheduled', timestamp: at(1) },
  { id: 4, previousEventId: 3, type: 'LambdaFunctionSucceeded', timestamp: at(2) },
  { id: 5, previousEventId: 4, type: 'TaskStateExited', stateExitedEventDetails: { name: 'make' }, timestamp: at(2) },
  { id: 6, previousEventId: 5, type: 'ChoiceStateEntered', stateEnteredEventDetails: { name: 'score-check-items' }, timestamp: at(2) },
  { id: 7, previousEventId: 6, type: 'ChoiceStateExited', stateExitedEventDetails: { name: 'score-check-items' }, timestamp: at(2) },
  { id: 8, previousEventId: 7, type: 'MapStateEntered', stateEnteredEventDetails: { name: 'score-distributed' }, timestamp: at(3) },
  { id: 9, previousEventId: 8, type: 'MapStateStarted', mapStateStartedEventDetails: { length: 0 }, timestamp: at(3) },
  {
    id: 10,
    previousEventId: 9,
    type: 'MapRunStarted',
    mapRunStartedEventDetails: { mapRunArn: 'arn:aws:states:us-east-1:1:mapRun:shape/score-distributed:abc' },
    timestamp: at(3),
  },
];

describe('ork status of a Distributed Map', () => {
  it('finds the Map Run and the task it runs', () => {
    expect([...mapRunsOf(history, shape())]).toEqual([['arn:aws:states:us-east-1:1:mapRun:shape/score-distributed:abc', 'score']]);
  });

  it('shows the Map Run’s item counts as the task’s instances', () => {
    const counts = new Map([
      ['arn:aws:states:us-east-1:1:mapRun:shape/score-distributed:abc', { total: 5000, pending: 1000, running: 200, succeeded: 3790, failed: 10 }],
    ]);
    const view = executionView(history, shape(), false, counts);
    expect(view.tasks.get('score')).toMatchObject({ expected: 5000, instances: 4000, running: 200, succeeded: 3790, failed: 10 });
    expect(view.tasks.get('make')).toMatchObject({ instances: 1, succeeded: 1 });
  });

  it('without the counts, the fan-out is known to have started but not its size', () => {
    const view = executionView(history, shape(), false);
    expect(view.tasks.get('score')).toMatchObject({ instances: 0 });
    expect(view.tasks.get('score')?.expected).toBeUndefined();
  });
});

import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readWorkflowShape } from '../../lib/cloud/workflow-shape.js';
import { compileCleanly, EXAMPLES_DIR, FIXTURES_DIR, substitutePlaceholders, workflowDirectories } from '../support/workflows.js';

/**
 * AWS keeps a deployed machine's definition, not its manifest, so the cloud client reads the tasks from the
 * definition (walkStates). What it reads must be what emit recorded: the Maps that run each task, which of
 * them are distributed, and whether failures are tolerated.
 */
describe('readWorkflowShape', () => {
  for (const { name, directory } of [...workflowDirectories(FIXTURES_DIR), ...workflowDirectories(EXAMPLES_DIR)]) {
    it(`${name}: agrees with the manifest's fan-out record`, () => {
      const { definition, manifest } = compileCleanly(directory);
      const shape = readWorkflowShape(substitutePlaceholders(definition), manifest.workflow);
      for (const entry of manifest.tasks) {
        const task = shape.tasks.find((t) => t.name === entry.name);
        // In definition order there, the primary state first in the manifest.
        expect([...(task?.stateNames ?? [])].sort(), entry.name).toEqual([...entry.stateNames].sort());
        const maps = entry.fanOut?.maps ?? [];
        // The Map whose iterations run the task: the fan-out's own, or its workers Map.
        expect([...(task?.mapStates ?? [])].sort(), entry.name).toEqual(maps.map((m) => m.workers?.state ?? m.state).sort());
        expect([...(task?.distributedMaps ?? [])].sort(), entry.name).toEqual(
          maps
            .filter((m) => m.mode === 'distributed')
            .map((m) => m.state)
            .sort(),
        );
        expect(task?.fanOut, entry.name).toEqual(maps.length === 0 ? undefined : maps.some((m) => m.toleratedFailures) ? { tolerateFailures: true } : true);
        // The skip state (`when:`) found by what it does, and the on_failure handler by its reserved name.
        expect(task?.skipState, entry.name).toBe(entry.skipState);
        expect(task?.role, entry.name).toBe(entry.role);
      }
    });
  }

  it('finds a skip state in the fixtures that have them', () => {
    const { definition, manifest } = compileCleanly(path.join(FIXTURES_DIR, 'conditional'));
    const shape = readWorkflowShape(substitutePlaceholders(definition), manifest.workflow);
    const skippable = (tasks: readonly { name: string; skipState?: string }[]): string[] =>
      tasks
        .filter((t) => t.skipState !== undefined)
        .map((t) => t.name)
        .sort();
    expect(skippable(shape.tasks)).toEqual(skippable(manifest.tasks));
    expect(skippable(shape.tasks)).toHaveLength(7);
  });
});

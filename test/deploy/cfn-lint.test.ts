import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { allStates, type Json, type Resource } from '../support/deploy-app/cloudformation.js';
import { type DeployApp, SHARED_APP_TIMEOUT_MS, sharedDeployApp } from '../support/deploy-app/shared-app.js';
import { SYNTH_CONTEXT } from '../support/deploy-app/test-workflows.js';
import { useScratchDirectory } from '../support/cli.js';

/** cfn-lint over every template of the shared deploy app, with broken copies as negative controls. */

let built: DeployApp;
beforeAll(async () => {
  built = await sharedDeployApp();
}, SHARED_APP_TIMEOUT_MS);

/** This file's own folder (the negative controls): the shared app's is shared with other test files. */
const tmp = useScratchDirectory('ork-cfn-lint-');

describe('cfn-lint', () => {
  interface LintMatch {
    Filename: string;
    Level: string;
    Message: string;
    Rule: { Id: string };
  }
  let matches: LintMatch[] = [];
  let templateFiles: string[] = [];
  let controls = '';
  let lambdaTaskResource = '';

  /**
   * Negative controls for E3601, from the containers template: copies whose definition string is broken,
   * checked in the same cfn-lint run (one start-up of cfn-lint costs seconds).
   */
  function writeControls(): string[] {
    controls = path.join(tmp(), 'lint-controls');
    mkdirSync(controls, { recursive: true });
    const source = JSON.parse(readFileSync(path.join(built.outdir, 'OrkTestContainers.template.json'), 'utf8')) as { Resources: Record<string, Resource> };
    const [machineId, machine] = Object.entries(source.Resources).find(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine') ?? [];
    if (!machineId || !machine?.Properties) throw new Error('no state machine in the containers template');
    const definition = JSON.parse(machine.Properties.DefinitionString as string) as Json;
    const lambdaTask = allStates(definition).find(([, s]) => s.Type === 'Task' && String(s.Resource).startsWith('${OrkFunction_'));
    if (!lambdaTask) throw new Error('no Lambda task state');
    lambdaTaskResource = String(lambdaTask[1].Resource);
    const stateOf = (d: Json): Json => allStates(d).find(([name]) => name === lambdaTask[0])?.[1] as Json;
    const writeVariant = (file: string, change: (definition: Json, properties: Json) => void): string => {
      const copy = structuredClone(source);
      const properties = copy.Resources[machineId]?.Properties as Json;
      const changed = structuredClone(definition);
      change(changed, properties);
      properties.DefinitionString = JSON.stringify(changed);
      writeFileSync(path.join(controls, file), JSON.stringify(copy, null, 1));
      return path.join(controls, file);
    };
    return [
      writeVariant('unchanged.template.json', () => {}),
      // A Task state without Resource.
      writeVariant('no-resource.template.json', (d) => delete stateOf(d).Resource),
      // The placeholder with no DefinitionSubstitutions entry: E3601 resolves placeholders, it does not skip them.
      writeVariant('unsubstituted.template.json', (_d, p) => {
        const substitutions = { ...(p.DefinitionSubstitutions as Json) };
        delete substitutions[lambdaTaskResource.slice(2, -1)];
        p.DefinitionSubstitutions = substitutions;
      }),
      // A Task field of the wrong type, elsewhere in the same state.
      writeVariant('bad-timeout.template.json', (d) => (stateOf(d).TimeoutSeconds = 'ten minutes')),
    ];
  }

  beforeAll(() => {
    templateFiles = [...built.stacks.keys()].map((name) => path.join(built.outdir, `${name}.template.json`));
    const result = spawnSync('cfn-lint', ['--format', 'json', '--', ...templateFiles, ...writeControls()], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (result.error) throw result.error;
    // Exit codes are bit flags (2 errors, 4 warnings, 8 informational); 1 is a crash.
    if ((result.status ?? 1) & 1) throw new Error(`cfn-lint crashed (${result.status}): ${result.stderr}`);
    matches = JSON.parse(result.stdout || '[]') as LintMatch[];
  }, 120_000);

  it('finds no error in any template', () => {
    const ours = matches.filter((m) => m.Level === 'Error' && path.dirname(path.resolve(m.Filename)) === built.outdir);
    // E2533 (deprecated runtime) for the python3.11 this test synthesizes with (SYNTH_CONTEXT: the only
    // Python this machine's wheels are built for); Lambda no longer creates python3.11 functions, which is
    // why it is not Ork's default. Only that finding is accepted, and it shows cfn-lint checks runtimes.
    const deprecated = (m: LintMatch) => m.Rule.Id === 'E2533' && m.Message.startsWith(`Runtime '${SYNTH_CONTEXT.pythonRuntime}' was deprecated`);
    expect(ours.some(deprecated)).toBe(true);
    const errors = ours.filter((m) => !deprecated(m)).map((m) => `${m.Filename} ${m.Rule.Id}: ${m.Message}`);
    expect(errors).toEqual([]);
    expect(templateFiles.length).toBe(built.stacks.size);
  });

  it('E3601 checks our definition strings (negative control: broken copies are rejected)', () => {
    const e3601 = (file: string): string[] =>
      matches.filter((m) => path.resolve(m.Filename) === path.join(controls, file) && m.Rule.Id === 'E3601').map((m) => m.Message);
    expect(e3601('unchanged.template.json')).toEqual([]);
    expect(e3601('no-resource.template.json').join('\n')).toMatch(/'Resource' is a required property/);
    expect(e3601('unsubstituted.template.json').join('\n')).toContain(lambdaTaskResource);
    expect(e3601('bad-timeout.template.json').join('\n')).toMatch(/not of type 'number'/);
  });
});

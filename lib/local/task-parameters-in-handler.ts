import type { JsonValue, PayloadTemplate, StateMachineDefinition } from '../../compiler/index.js';
import { mapStates, type LocalAdaptation } from './local-adaptation-pass.js';
import { evaluatePayloadTemplate, PayloadTemplateError } from './payload-template.js';
import type { TaskHandler } from './task-handlers.js';

/**
 * The keys of the Parameters a rewritten Task state keeps: its effective input (after InputPath) and the
 * context object, which its handler evaluates the original Parameters against.
 */
export const LOCAL_INPUT_KEY = 'ork_local_input';
export const LOCAL_CONTEXT_KEY = 'ork_local_context';

const LOCAL_PARAMETERS: PayloadTemplate = { [`${LOCAL_INPUT_KEY}.$`]: '$', [`${LOCAL_CONTEXT_KEY}.$`]: '$$' };

/** A template whose every `.$` value is a path (no intrinsic function): the handler's evaluator does these. */
function onlyPaths(template: JsonValue): boolean {
  if (Array.isArray(template)) return template.every(onlyPaths);
  if (template === null || typeof template !== 'object') return true;
  return Object.entries(template).every(([key, value]) => (key.endsWith('.$') ? typeof value === 'string' && value.startsWith('$') : onlyPaths(value)));
}

/**
 * The Parameters templates `taskParametersInHandler` moves into the handlers, by state name (state names are
 * unique in a whole state machine), read from the definition before that pass.
 */
export function movedParameters(definition: StateMachineDefinition): ReadonlyMap<string, PayloadTemplate> {
  const found = new Map<string, PayloadTemplate>();
  mapStates(definition, (name, state) => {
    if (state.Type === 'Task' && state.Parameters && onlyPaths(state.Parameters)) found.set(name, state.Parameters);
  });
  return found;
}

export const taskParametersInHandler: LocalAdaptation = {
  name: 'task-parameters-in-handler',
  why:
    'the interpreter evaluates each `.$` path of a Task’s Parameters with jsonpath-plus, which throws and catches an Error to return every ' +
    'scalar: six paths per instance were a fifth of the engine’s time in a 100,000-item fan-out. A Task whose Parameters hold only paths ' +
    'keeps two (its input and the context object) and its local handler evaluates the original template against them with the ' +
    'reference-path walker the Distributed Map runner uses; the payload the task receives is the same',
  apply(definition) {
    const copy = structuredClone(definition);
    const moved = movedParameters(copy);
    mapStates(copy, (name, state) => {
      if (state.Type === 'Task' && moved.has(name)) state.Parameters = { ...LOCAL_PARAMETERS };
    });
    return copy;
  },
};

/** A path that selects nothing fails the state as on AWS: States.Runtime, which neither Retry nor Catch handles. */
class UnhandledRuntimeError extends PayloadTemplateError {
  // What aws-local-stepfunctions reads to leave an error to no retrier and no catcher.
  readonly isRetryable = false;
  readonly isCatchable = false;
}

/** `handler`, receiving the payload `template` yields for the state's input and context object. */
export function withParameters(template: PayloadTemplate, handler: TaskHandler): TaskHandler {
  return (input) => {
    const fields = input as Record<string, unknown>;
    let payload: unknown;
    try {
      payload = evaluatePayloadTemplate(template, fields[LOCAL_INPUT_KEY], fields[LOCAL_CONTEXT_KEY]);
    } catch (error) {
      return Promise.reject(error instanceof PayloadTemplateError ? new UnhandledRuntimeError(error.message) : error);
    }
    return handler(payload);
  };
}

/**
 * `handlers` (by state name) for the definition the local adaptations made of `definition`: the handler of
 * each Task whose Parameters taskParametersInHandler moved evaluates them.
 */
export function withMovedParameters(definition: StateMachineDefinition, handlers: Readonly<Record<string, TaskHandler>>): Record<string, TaskHandler> {
  const wrapped: Record<string, TaskHandler> = { ...handlers };
  for (const [state, template] of movedParameters(definition)) {
    const handler = handlers[state];
    if (handler) wrapped[state] = withParameters(template, handler);
  }
  return wrapped;
}

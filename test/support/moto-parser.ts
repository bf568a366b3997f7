import { afterAll, beforeAll } from 'vitest';
import { startMotoServer, type AwsJsonResponse, type MotoServer } from './moto-server.js';

// moto's Step Functions ASL parser, the strictest reader of definitions available offline, as a checker.

/** How moto reports a definition its parser refuses (moto 5: `ASLParserException …`; AWS: InvalidDefinition). */
export const PARSER_REJECTION = /ASLParserException|InvalidDefinition/;

/** Creates a state machine on moto: `definition` a string is sent as it is, anything else as its JSON. */
export type CreateStateMachine = (name: string, definition: unknown) => Promise<AwsJsonResponse>;

/**
 * Registers, in the describe block it is called in, a moto_server that parses what it is given (a beforeAll) and
 * its stop (an afterAll). Answers CreateStateMachine on it, which throws when the server did not start.
 */
export function useMotoParser(): CreateStateMachine {
  let moto: MotoServer | undefined;
  beforeAll(async () => {
    moto = await startMotoServer();
    // moto parses (and so validates) definitions only when it is set to execute them.
    await moto.configure({ stepfunctions: { execute_state_machine: true } });
  }, 60_000);
  afterAll(async () => {
    await moto?.stop();
  });
  return async (name, definition) => {
    if (!moto) throw new Error('moto_server did not start');
    return moto.awsJson('AWSStepFunctions.CreateStateMachine', {
      name,
      definition: typeof definition === 'string' ? definition : JSON.stringify(definition),
      roleArn: 'arn:aws:iam::123456789012:role/ork',
    });
  };
}

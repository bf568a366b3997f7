/**
 * AWS quotas and behaviours that the compiler, the local engine, the deploy and the cost model depend on, each
 * stated once (docs/local-engine.md, "AWS limits"). What Ork decides from them (when a fan-out goes
 * distributed, how far it scales) is in fan-out-kinds.ts.
 */

/** A Lambda function runs at most 15 minutes. */
export const LAMBDA_MAX_TIMEOUT_SECONDS = 900;

/** An inline Map runs about 40 iterations at once, whatever its MaxConcurrency says above that. */
export const INLINE_MAP_CONCURRENCY = 40;

/** `States.ArrayRange` returns at most 1,000 items. */
export const ARRAY_RANGE_LIMIT = 1000;

/** Distributed Map's ceiling on concurrent child executions. */
export const DISTRIBUTED_MAX_CONCURRENCY = 10_000;

/** Express executions end after five minutes. */
export const EXPRESS_MAX_SECONDS = 300;

/** A Secrets Manager secret name is 1 to 512 characters (CreateSecret, Secrets Manager API reference). */
export const SECRET_NAME_MAX_CHARACTERS = 512;

/**
 * A Parameter Store name is at most 1,011 characters counting the ARN before it: `arn:aws:ssm:us-east-2:
 * 111122223333:parameter/ExampleParameterName` is 65 characters, not 20 ("Requirements and constraints for
 * parameter names", Systems Manager user guide).
 */
export const PARAMETER_NAME_MAX_CHARACTERS = 1011;
/** The shortest ARN before a parameter's `/path`: `arn:aws:ssm:` + a 9-character region (us-east-1) + `:` + account + `:parameter`. */
export const PARAMETER_ARN_MIN_PREFIX_CHARACTERS = 'arn:aws:ssm:'.length + 'us-east-1'.length + 1 + 12 + ':parameter'.length;
/**
 * A parameter hierarchy is at most fifteen levels deep, the parameter's own name counted: the guide's valid
 * example is `/Level-1/L2/…/L14/parameter-name` (15), and one with 17 fails with HierarchyLevelLimitExceededException.
 */
export const PARAMETER_MAX_LEVELS = 15;

/**
 * The most data a state's input or output, an execution's input or a task's result may hold: 256 KiB of
 * UTF-8 text. Above it a state fails with `States.DataLimitExceeded` (a terminal error that `States.ALL`
 * neither retries nor catches), and StartExecution refuses the input.
 */
export const STATE_DATA_MAX_BYTES = 256 * 1024;

/** CreateStateMachine refuses a definition longer than 1 MiB (1,048,576 characters of its JSON). */
export const DEFINITION_MAX_CHARACTERS = 1024 * 1024;

/** The error AWS reports for state data above STATE_DATA_MAX_BYTES. */
export const DATA_LIMIT_EXCEEDED = 'States.DataLimitExceeded';

/** `262,144 bytes`, for messages. */
export function formatBytes(bytes: number): string {
  return `${bytes.toLocaleString('en-US')} bytes`;
}

/**
 * EventBridge's InputTransformer (events service model, TransformerPaths and InputTransformerPathKey): at most
 * 100 variables, each named by 1 to 256 of `A-Za-z0-9_-`, each a JSONPath of at most 256 characters; and an
 * InputTemplate of at most 8,192 characters.
 */
export const INPUT_PATHS_MAX_ENTRIES = 100;
export const INPUT_PATH_VARIABLE_MAX_LENGTH = 256;
export const INPUT_PATH_MAX_LENGTH = 256;
export const INPUT_TEMPLATE_MAX_LENGTH = 8192;

/**
 * PutRule's EventPattern is at most 4,096 characters (events service model); the default quota "Event pattern
 * size" is 2,048 characters, adjustable up to that (EventBridge quotas page).
 */
export const EVENT_PATTERN_MAX_CHARACTERS = 4096;
export const EVENT_PATTERN_DEFAULT_QUOTA_CHARACTERS = 2048;

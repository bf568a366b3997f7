/** The subset of the Amazon States Language (JSONPath flavour) that Ork emits. */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type PayloadTemplate = { [key: string]: JsonValue };

export interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: 'FULL' | 'NONE';
}

interface Transition {
  Next?: string;
  End?: true;
}

interface Common {
  Comment?: string;
  InputPath?: string;
  OutputPath?: string;
}

export interface Catcher {
  ErrorEquals: string[];
  ResultPath?: string | null;
  Next: string;
}

export interface TaskState extends Common, Transition {
  Type: 'Task';
  Resource: string;
  Parameters?: PayloadTemplate;
  ResultSelector?: PayloadTemplate;
  ResultPath?: string | null;
  Retry?: Retrier[];
  Catch?: Catcher[];
  TimeoutSeconds?: number;
  HeartbeatSeconds?: number;
}

export interface PassState extends Common, Transition {
  Type: 'Pass';
  Parameters?: PayloadTemplate;
  Result?: JsonValue;
  ResultPath?: string | null;
}

export interface ChoiceRule {
  Variable?: string;
  Next?: string;
  Not?: ChoiceRule;
  And?: ChoiceRule[];
  Or?: ChoiceRule[];
  IsPresent?: boolean;
  IsNull?: boolean;
  IsNumeric?: boolean;
  IsString?: boolean;
  IsBoolean?: boolean;
  NumericEquals?: number;
  NumericEqualsPath?: string;
  NumericLessThan?: number;
  NumericLessThanPath?: string;
  NumericLessThanEquals?: number;
  NumericLessThanEqualsPath?: string;
  NumericGreaterThan?: number;
  NumericGreaterThanPath?: string;
  NumericGreaterThanEquals?: number;
  NumericGreaterThanEqualsPath?: string;
  StringEquals?: string;
  StringEqualsPath?: string;
  StringLessThan?: string;
  StringLessThanPath?: string;
  StringLessThanEquals?: string;
  StringLessThanEqualsPath?: string;
  StringGreaterThan?: string;
  StringGreaterThanPath?: string;
  StringGreaterThanEquals?: string;
  StringGreaterThanEqualsPath?: string;
  BooleanEquals?: boolean;
  BooleanEqualsPath?: string;
  StringMatches?: string;
}

export interface ChoiceState extends Common {
  Type: 'Choice';
  Choices: ChoiceRule[];
  Default?: string;
}

/** A constant error and cause, or (to end with an error caught earlier) paths to them. */
export type FailState = { Type: 'Fail'; Comment?: string } & ({ Error: string; Cause: string } | { ErrorPath: string; CausePath: string });

export interface SubMachine {
  StartAt: string;
  States: Record<string, State>;
}

export type ProcessorConfig = { Mode: 'INLINE' } | { Mode: 'DISTRIBUTED'; ExecutionType: 'EXPRESS' | 'STANDARD' };

export interface ItemProcessor extends SubMachine {
  ProcessorConfig: ProcessorConfig;
}

/** Distributed Map reads its items from S3 (a JSON array) instead of the state. */
export interface ItemReader {
  Resource: 'arn:aws:states:::s3:getObject';
  ReaderConfig: { InputType: 'JSON' };
  Parameters: PayloadTemplate;
}

export interface ResultWriter {
  Resource: 'arn:aws:states:::s3:putObject';
  Parameters: { Bucket: string; Prefix: string };
}

export interface ItemBatcher {
  MaxItemsPerBatch: number;
  BatchInput?: PayloadTemplate;
}

export interface MapState extends Common, Transition {
  Type: 'Map';
  ItemsPath?: string;
  ItemReader?: ItemReader;
  ItemSelector?: PayloadTemplate;
  ItemBatcher?: ItemBatcher;
  ItemProcessor: ItemProcessor;
  MaxConcurrency?: number;
  ToleratedFailureCount?: number;
  ToleratedFailurePercentage?: number;
  ResultWriter?: ResultWriter;
  ResultSelector?: PayloadTemplate;
  ResultPath?: string | null;
  Catch?: Catcher[];
}

export interface ParallelState extends Common, Transition {
  Type: 'Parallel';
  Branches: SubMachine[];
  ResultSelector?: PayloadTemplate;
  ResultPath?: string | null;
  Catch?: Catcher[];
}

export interface SucceedState {
  Type: 'Succeed';
  Comment?: string;
}

export type State = TaskState | PassState | ChoiceState | FailState | SucceedState | MapState | ParallelState;

export interface StateMachineDefinition extends SubMachine {
  Comment?: string;
}

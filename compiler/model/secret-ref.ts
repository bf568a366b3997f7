import type { SourceSpan } from '../diagnostics/index.js';
import { PARAMETER_ARN_MIN_PREFIX_CHARACTERS, PARAMETER_MAX_LEVELS, PARAMETER_NAME_MAX_CHARACTERS, SECRET_NAME_MAX_CHARACTERS } from './aws-limits.js';

/** Where a secret lives: Secrets Manager (GetSecretValue) or SSM Parameter Store (GetParameter, decrypted). */
export type SecretService = 'secretsmanager' | 'ssm';

/** One entry of a task's `secrets:`: the name as written (a Secrets Manager name, an SSM path or an ARN of either). */
export interface SecretRef {
  readonly name: string;
  readonly service: SecretService;
  readonly span: SourceSpan;
}

/** The parts of a secret's or parameter's ARN; `resource` is what follows `secret:` or `parameter/`. */
export interface SecretArn {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  readonly resource: string;
}

/** What a `secrets:` entry names: the service, and its ARN's parts when it was written as an ARN. */
export interface SecretReference {
  readonly service: SecretService;
  readonly arn?: SecretArn;
}

// A secret or a parameter always has a region and a 12-digit account in its ARN; one without is no ARN of either.
const SECRET_ARN = /^arn:(aws[a-z-]*):secretsmanager:([a-z0-9-]+):(\d{12}):secret:(.+)$/;
const PARAMETER_ARN = /^arn:(aws[a-z-]*):ssm:([a-z0-9-]+):(\d{12}):parameter\/(.+)$/;

/**
 * Classifies a `secrets:` entry (docs/deploy.md, "Secrets"): an ARN of a secret or a parameter is that; a
 * leading `/` is an SSM parameter path; anything else is a Secrets Manager secret name. Pure: the name is
 * not checked here (see {@link secretNameProblem}).
 */
export function secretReference(text: string): SecretReference {
  const secret = SECRET_ARN.exec(text);
  if (secret) return { service: 'secretsmanager', arn: arnOf(secret) };
  const parameter = PARAMETER_ARN.exec(text);
  if (parameter) return { service: 'ssm', arn: arnOf(parameter) };
  return { service: text.startsWith('/') ? 'ssm' : 'secretsmanager' };
}

function arnOf(match: RegExpExecArray): SecretArn {
  const [, partition = '', region = '', account = '', resource = ''] = match;
  return { partition, region, account, resource };
}

// Secrets Manager, CreateSecret `Name`: "ASCII letters, numbers, and the following characters: /_+=.@-",
// 1 to 512 characters (Secrets Manager API reference).
const SECRET_NAME_CHARACTERS = /^[A-Za-z0-9/_+=.@-]+$/;
// Parameter Store, "Requirements and constraints for parameter names" (Systems Manager user guide):
// `a-zA-Z0-9_.-` and `/` between the levels of a hierarchy.
const PARAMETER_NAME_CHARACTERS = /^[A-Za-z0-9_.\-/]+$/;
const RESERVED_PARAMETER_PREFIX = /^(aws|ssm)/i;

/** Why a `secrets:` entry cannot be read, and how to write it instead. */
export interface SecretNameProblem {
  /** Completes "secret 'x' …". */
  readonly problem: string;
  readonly hint: string;
}

const SECRET_HINT = 'a Secrets Manager name holds letters, digits and /_+=.@-; start an SSM parameter path with /';
const PARAMETER_HINT = 'an SSM parameter path is /level/level/name of letters, digits and _ . -';

/**
 * Why Secrets Manager or Parameter Store would refuse this `secrets:` entry, or undefined when they take it.
 * Only what is certain from the text: an ARN's region and account are not checked, and a parameter name's
 * length is checked against the shortest ARN it could have (the limit counts the ARN, and the region is
 * known at deploy time only).
 */
export function secretNameProblem(text: string): SecretNameProblem | undefined {
  const reference = secretReference(text);
  if (reference.arn) {
    if (reference.service === 'ssm') return parameterProblem(`/${reference.arn.resource}`, text.length - reference.arn.resource.length - 1);
    return secretProblem(reference.arn.resource);
  }
  if (text.startsWith('arn:')) {
    return {
      problem: 'is neither the ARN of a Secrets Manager secret nor that of an SSM parameter',
      hint: 'write arn:PARTITION:secretsmanager:REGION:ACCOUNT:secret:NAME or arn:PARTITION:ssm:REGION:ACCOUNT:parameter/PATH, or the name alone',
    };
  }
  return reference.service === 'ssm' ? parameterProblem(text, PARAMETER_ARN_MIN_PREFIX_CHARACTERS) : secretProblem(text);
}

function secretProblem(name: string): SecretNameProblem | undefined {
  if (!SECRET_NAME_CHARACTERS.test(name)) {
    return { problem: `is not a Secrets Manager secret name: it holds ${quoteOffending(name, SECRET_NAME_CHARACTERS)}`, hint: SECRET_HINT };
  }
  if (name.length > SECRET_NAME_MAX_CHARACTERS) {
    return { problem: `is ${name.length} characters long: a Secrets Manager name is at most ${SECRET_NAME_MAX_CHARACTERS}`, hint: 'use a shorter name' };
  }
  return undefined;
}

/** `path` starts with `/`; `arnPrefix` is how many characters of ARN precede it. */
function parameterProblem(path: string, arnPrefix: number): SecretNameProblem | undefined {
  if (!PARAMETER_NAME_CHARACTERS.test(path)) {
    return { problem: `is not an SSM parameter name: it holds ${quoteOffending(path, PARAMETER_NAME_CHARACTERS)}`, hint: PARAMETER_HINT };
  }
  const levels = path.slice(1).split('/');
  if (levels.some((level) => level === '')) return { problem: 'has an empty level (`//`, or `/` at the end)', hint: PARAMETER_HINT };
  if (RESERVED_PARAMETER_PREFIX.test(levels[0] ?? '')) {
    return {
      problem: 'starts with `aws` or `ssm`, which Parameter Store reserves for its own parameters',
      hint: 'name your own parameter; for a Secrets Manager secret write its name, without a leading /',
    };
  }
  if (levels.length > PARAMETER_MAX_LEVELS) {
    return { problem: `has ${levels.length} levels: an SSM parameter hierarchy has at most ${PARAMETER_MAX_LEVELS}`, hint: 'use fewer levels' };
  }
  const longest = PARAMETER_NAME_MAX_CHARACTERS - arnPrefix;
  if (path.length > longest) {
    return {
      problem: `is ${path.length} characters long: an SSM parameter name is at most ${PARAMETER_NAME_MAX_CHARACTERS} characters counting its ARN, ${longest} here`,
      hint: 'use a shorter path',
    };
  }
  return undefined;
}

/** `'#', a space`: the characters of `text` outside `allowed`, each once. */
function quoteOffending(text: string, allowed: RegExp): string {
  const offending = [...new Set([...text].filter((character) => !allowed.test(character)))];
  return offending.map((character) => (character === ' ' ? 'a space' : `'${character}'`)).join(', ');
}

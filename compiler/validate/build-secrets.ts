import { secretReference, type SecretRef } from '../model/index.js';
import type { SourceMap } from '../parse/index.js';

/**
 * A task's `secrets:` as far as they are valid: each string entry, with its service and where it is written.
 * A name Secrets Manager or SSM would refuse is kept (the secret-names rule reports it at its span).
 */
export function buildSecrets(written: readonly string[] | undefined, sourceMap: SourceMap, taskPath: readonly string[]): SecretRef[] {
  return (written ?? []).map((name, index) => ({ name, service: secretReference(name).service, span: sourceMap.locate([...taskPath, 'secrets', index]) }));
}

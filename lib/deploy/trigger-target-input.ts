import * as events from 'aws-cdk-lib/aws-events';
import type { InputTransformer } from '../../compiler/index.js';

/**
 * A rule target's input that is exactly the compiled InputTransformer of a trigger: `InputPathsMap` and
 * `InputTemplate` as the manifest holds them, which is what `ork run --event` applies locally. CDK's own
 * inputs (`RuleTargetInput.fromObject` with `EventField`s) would name the variables and quote the template
 * their way; this one passes the one definition through untouched. A trigger without params maps nothing:
 * its template is a constant and InputPathsMap is left out (it is optional).
 */
export class TriggerTargetInput extends events.RuleTargetInput {
  constructor(private readonly transformer: InputTransformer) {
    super();
  }

  bind(): events.RuleTargetInputProperties {
    const paths = this.transformer.inputPathsMap;
    return {
      inputTemplate: this.transformer.inputTemplate,
      ...(Object.keys(paths).length > 0 ? { inputPathsMap: { ...paths } } : {}),
    };
  }
}

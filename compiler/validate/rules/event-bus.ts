import { Codes, makeDiagnostic, type Diagnostic } from '../../diagnostics/index.js';
import { rawTriggers } from './raw-triggers.js';
import type { ValidationRule } from './validation-rule.js';

/**
 * PutRule's EventBusName (events service model, EventBusNameOrArn): a name of 1 to 256 of `A-Za-z0-9._-/`
 * (partner buses have `/`), or an event bus ARN with such a name, at most 1,600 characters.
 */
const BUS_NAME = /^[/.\-_A-Za-z0-9]{1,256}$/;
const BUS_ARN = /^arn:aws[\w-]*:events:[a-z]+-[a-z]+-[\w-]+:[0-9]{12}:event-bus\/([/.\-_A-Za-z0-9]+)$/;

/** ORK246: `bus:` is an event bus name or ARN. */
export const eventBusRule: ValidationRule = {
  name: 'event-bus',
  check(context) {
    const found: Diagnostic[] = [];
    for (const { index, entry } of rawTriggers(context)) {
      const bus = entry.bus;
      // Not text: the schema reports it.
      if (typeof bus !== 'string') continue;
      const arn = BUS_ARN.exec(bus);
      if (bus.length <= 1600 && (arn ? (arn[1]?.length ?? 0) <= 256 : BUS_NAME.test(bus))) continue;
      const hint = bus.startsWith('arn:')
        ? 'an event bus ARN reads arn:aws:events:<region>:<account>:event-bus/<name>'
        : 'a bus name holds letters, digits, ., -, _ and /; leave `bus:` out for the default bus';
      found.push(
        makeDiagnostic(
          Codes.invalidEventBus,
          context.sourceMap.locate(['triggers', index, 'bus']),
          `'${bus}' is neither an event bus name nor an event bus ARN`,
          hint,
        ),
      );
    }
    return found;
  },
};

import { formatDiagnostic, type CompileResult } from '../../compiler/index.js';
import { useColor, type Io } from './terminal.js';

/** Prints every diagnostic to stderr; returns true when there were errors. */
export function reportDiagnostics(result: CompileResult, io: Io): boolean {
  const color = useColor(io.stderr, io.env);
  const source = result.parsed?.text;
  for (const diagnostic of result.diagnostics) {
    io.stderr.write(`${formatDiagnostic(diagnostic, { color, ...(source !== undefined ? { source } : {}) })}\n`);
  }
  const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = result.diagnostics.length - errors;
  if (result.diagnostics.length > 0) {
    const parts = [errors > 0 ? `${errors} error${errors === 1 ? '' : 's'}` : '', warnings > 0 ? `${warnings} warning${warnings === 1 ? '' : 's'}` : ''].filter(
      Boolean,
    );
    io.stderr.write(`${parts.join(', ')}\n`);
  }
  return !result.ok;
}

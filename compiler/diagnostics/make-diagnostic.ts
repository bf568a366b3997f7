import type { DiagnosticCode } from './codes.js';
import type { Diagnostic, SourceSpan } from './diagnostic.js';

export function makeDiagnostic(code: DiagnosticCode, span: SourceSpan, message: string, hint?: string): Diagnostic {
  return { code: code.code, severity: code.severity, message, span, ...(hint ? { hint } : {}) };
}

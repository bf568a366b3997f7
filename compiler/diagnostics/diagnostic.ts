/** A 1-based position in a source file. */
export interface SourcePosition {
  readonly line: number;
  readonly col: number;
}

/** Where a diagnostic points: a file and a range inside it (1-based, end exclusive). */
export interface SourceSpan {
  readonly file: string;
  readonly start: SourcePosition;
  readonly end: SourcePosition;
}

export type Severity = 'error' | 'warning';

/**
 * A problem found while compiling. Diagnostics are data: every stage collects them and returns them,
 * so the user sees all problems at once; only a stage that cannot go on stops the pipeline.
 */
export interface Diagnostic {
  /** Stable code, e.g. `ORK201`; documented in docs/diagnostics.md. */
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  readonly span: SourceSpan;
  /** How to fix it, e.g. "did you mean 'discover'?" */
  readonly hint?: string;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Source order, then errors before warnings, so output is stable whatever order the stages found them in. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      a.span.file.localeCompare(b.span.file) ||
      a.span.start.line - b.span.start.line ||
      a.span.start.col - b.span.start.col ||
      (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1) ||
      a.code.localeCompare(b.code),
  );
}

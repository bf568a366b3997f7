import type { ChildProcess } from 'node:child_process';

// Ends a detached child with what it started (moto_server's workers, a Lambda runtime's subprocesses).

/** Signals the child's process group (it was started detached), falling back to the child alone. */
export function killProcessGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

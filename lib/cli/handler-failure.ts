/**
 * The on_failure handler's own failure, in one line (`ork run`, `ork show`, `ork status`): printed beside the
 * run's error, which stays the failure the handler handled.
 */
export function handlerFailureLine(error: string, cause: string | undefined): string {
  const first = cause?.split('\n')[0];
  return `on_failure handler failed: ${error}${first ? `: ${first}` : ''}`;
}

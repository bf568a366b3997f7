/**
 * A Distributed Map's ToleratedFailureCount / ToleratedFailurePercentage. AWS counts failed items (a failed
 * batch counts each item in it) and fails the Map run with `States.ExceedToleratedFailureThreshold` as soon
 * as they exceed either threshold; with neither set, the threshold is zero: any failure fails it.
 */
export interface FailureThreshold {
  readonly count?: number;
  /** 0–100, of all the Map's items. */
  readonly percentage?: number;
}

export const EXCEEDED_THRESHOLD_ERROR = 'States.ExceedToleratedFailureThreshold';

export function exceedsThreshold(failedItems: number, totalItems: number, threshold: FailureThreshold): boolean {
  if (failedItems === 0) return false;
  const { count, percentage } = threshold;
  if (count === undefined && percentage === undefined) return true;
  if (count !== undefined && failedItems > count) return true;
  return percentage !== undefined && totalItems > 0 && (failedItems / totalItems) * 100 > percentage;
}

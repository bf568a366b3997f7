import { EXPRESS_BILLED_MEMORY_MB, PRICES } from './prices.js';

export interface PerInstance {
  readonly transitions: number;
  readonly expressRequests: number;
}

/**
 * Dollars for a number of instances, from transitions and Express requests. Express duration is left
 * out: a child lasts as long as its Lambda work, so it is the same for Ork and a hand-written machine
 * (see expressDurationUsd).
 */
export function usd(perInstance: PerInstance, instances: number): number {
  return instances * (perInstance.transitions * PRICES.standardTransitionUsd + perInstance.expressRequests * PRICES.expressRequestUsd);
}

/**
 * Express duration for a number of instances, assuming each child lives exactly as long as the task's
 * work in it and is billed at the smallest memory increment (64 MB): the task's run time × 64 MB per
 * instance. AWS also rounds each execution up to 100 ms, which batches amortise.
 */
export function expressDurationUsd(runSecondsPerInstance: number, instances: number): number {
  return instances * runSecondsPerInstance * (EXPRESS_BILLED_MEMORY_MB / 1024) * PRICES.expressGbSecondUsd;
}

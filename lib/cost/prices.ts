/**
 * AWS Step Functions list prices, us-east-1, first tier, without the free tier (4,000 Standard transitions
 * a month), which matters only for tiny workloads.
 *
 * Source: https://aws.amazon.com/step-functions/pricing/ — Standard: "$0.025 per 1,000 state transitions"
 * (US East (N. Virginia)); Express: $1.00 per million requests and $0.00001667 per GB-second for the first
 * tier of duration, duration "rounded up to the nearest 100ms" and memory "billed in 64-MB chunks".
 * Recorded 2026-11-27. Prices change: update this file and re-run test/cost to refresh docs/scale.md.
 */
export const PRICES = {
  region: 'us-east-1',
  source: 'https://aws.amazon.com/step-functions/pricing/',
  recorded: '2026-11-27',
  /** Standard workflows: every state entered is one transition, in parent and Standard child alike. */
  standardTransitionUsd: 0.000025,
  /** Express workflows: one request per execution started (a Distributed Map's Express child). */
  expressRequestUsd: 1.0 / 1_000_000,
  /** Express workflows: duration × memory, first tier. */
  expressGbSecondUsd: 0.00001667,
  /**
   * S3 Standard GET requests, us-east-1: "$0.0004 per 1,000 requests" (https://aws.amazon.com/s3/pricing/,
   * recorded 2026-12-06); transfer to Lambda in the same region is free. What an instance pays to read a
   * stored input (stored-reads.ts).
   */
  s3GetUsd: 0.0004 / 1000,
} as const;

/** The smallest memory increment Express bills; Ork's children hold one small payload, so one increment. */
export const EXPRESS_BILLED_MEMORY_MB = 64;

// The keys of a Distributed Map's result-file child records: as AWS writes them, and as ork run writes them.

/**
 * The keys of a child record in a result file as AWS writes them (the ResultWriter page of the Step Functions
 * developer guide, "Transformation NONE", and result files published from real map runs): a success, and a
 * failure (no Output, though OutputDetails; redrivable with its map run; Error and Cause).
 */
export const AWS_SUCCEEDED_KEYS: readonly string[] = [
  'ExecutionArn',
  'Input',
  'InputDetails',
  'Name',
  'Output',
  'OutputDetails',
  'RedriveCount',
  'RedriveStatus',
  'RedriveStatusReason',
  'StartDate',
  'StateMachineArn',
  'Status',
  'StopDate',
];
export const AWS_FAILED_KEYS: readonly string[] = [
  'Cause',
  'Error',
  'ExecutionArn',
  'Input',
  'InputDetails',
  'Name',
  'OutputDetails',
  'RedriveCount',
  'RedriveStatus',
  'StartDate',
  'StateMachineArn',
  'Status',
  'StopDate',
];

/** What ork run's ResultWriter (lib/local/map-run-results.ts) writes of a success: AWS's record but for RedriveStatusReason. */
export const LOCAL_SUCCEEDED_KEYS: readonly string[] = AWS_SUCCEEDED_KEYS.filter((k) => k !== 'RedriveStatusReason');

/** Region of an ARN: `arn:aws:states:eu-west-1:…`. */
export function regionOf(arn: string): string {
  return arn.split(':')[3] ?? 'us-east-1';
}

export function stateMachineConsoleUrl(arn: string): string {
  const region = regionOf(arn);
  return `https://${region}.console.aws.amazon.com/states/home?region=${region}#/statemachines/view/${encodeURIComponent(arn)}`;
}

export function executionConsoleUrl(executionArn: string): string {
  const region = regionOf(executionArn);
  return `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${encodeURIComponent(executionArn)}`;
}

/**
 * The params an example is started with by the suites that start every example alike (examples.test's runs,
 * the parity harness, the cloud CLI suite): none, unless it has required params (a `~` default), without
 * which `ork run` and `ork start` refuse to start it.
 */
const INPUTS: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  // What its S3 trigger starts it with for examples/s3-landing/events/object-created.json.
  's3-landing': { bucket: 'landing-bucket', key: 'incoming/2021-11-12/orders-paris.csv' },
};

export function exampleInput(name: string): Readonly<Record<string, unknown>> {
  return INPUTS[name] ?? {};
}

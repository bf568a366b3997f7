export * from './aws-parity.js';
export { LambdaFunctions, type CompletedInvocation, type InvocationRecord, type InvokeResult, type LambdaFunctionConfig } from './lambda-functions.js';
export { functionNameOf, startLambdaProxy, type LambdaProxy } from './lambda-proxy.js';

/**
 * The AWS SDK prints a seven-line NodeVersionSupportWarning on stderr, the first time a client is made on
 * Node < 22, about SDK versions to be published in 2027. Ork supports Node 20 and ships its own SDK
 * version, so every cloud command would start with that warning, burying the one line it prints on an
 * error. The SDK's own switch turns the warning off; a value the user set is kept.
 */
export function quietSdkNodeVersionWarning(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}

#!/usr/bin/env node
// The CDK app (cdk.json's "app"), from this repository and from a project created by `ork init` alike: an installed
// package runs its compiled dist/bin/cdk-app.js; a checkout runs bin/cdk-app.ts through tsx, resolved from Ork's
// own packages.
import { existsSync } from 'node:fs';

const source = new URL('./cdk-app.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import(new URL('../dist/bin/cdk-app.js', import.meta.url).href);
}

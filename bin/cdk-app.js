#!/usr/bin/env node
// The CDK app (cdk.json's "app"): runs bin/cdk-app.ts through tsx, resolved from Ork's own packages, so it
// works from this repository and from a project created by `ork init` alike.
import { register } from 'tsx/esm/api';

register();
await import('./cdk-app.ts');

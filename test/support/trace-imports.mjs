// Loaded with `node --import`: records every bare package specifier the process imports through ESM, one
// per line in $ORK_TRACE_IMPORTS, so a test can assert what a command loads.
import { register } from 'node:module';

register('./trace-imports-hooks.mjs', import.meta.url, { data: { file: process.env.ORK_TRACE_IMPORTS } });

#!/usr/bin/env node
import { prespawnWorkers } from '../runtime/coordinator/prespawn.js';

// Workers boot while the CLI below loads (see prespawn.ts). The CLI is its own bundle
// (dist/mcprun-cli.mjs) so that this file is all Node parses before the workers start.
prespawnWorkers(process.argv.slice(2));
const cliUrl = import.meta.url.endsWith('/cli.mjs') ? new URL('./mcprun-cli.mjs', import.meta.url).href : new URL('../runtime/cli/main.js', import.meta.url).href;
const { main } = (await import(cliUrl)) as typeof import('../runtime/cli/main.js');
process.setSourceMapsEnabled(true);
process.exitCode = await main(process.argv.slice(2));

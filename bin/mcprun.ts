#!/usr/bin/env node
import { prebuildScenario } from '../runtime/bundle/scenario-build.js';
import { catchEarlySignals } from '../runtime/cli/early-signals.js';
import { sniffCommand, sniffRunsThreads, sniffScript, sniffWorkers } from '../runtime/cli/argv-sniff.js';
import { prespawnWorkers, releasePrespawned } from '../runtime/coordinator/prespawn.js';

// Workers boot and esbuild bundles the scenario while the CLI below loads (see prespawn.ts and
// scenario-build.ts). The CLI is its own bundle (dist/mcprun-cli.mjs) so that this file is all
// Node parses before they start.
catchEarlySignals();
const argv = process.argv.slice(2);
// `check` reads each scenario's options in one thread and runs no load.
if (sniffRunsThreads(argv)) prespawnWorkers(sniffCommand(argv) === 'check' ? 1 : sniffWorkers(argv));
prebuildScenario(sniffScript(argv));
const cliUrl = import.meta.url.endsWith('/cli.mjs') ? new URL('./mcprun-cli.mjs', import.meta.url).href : new URL('../runtime/cli/main.js', import.meta.url).href;
const { main } = (await import(cliUrl)) as typeof import('../runtime/cli/main.js');
process.setSourceMapsEnabled(true);
process.exitCode = await main(argv);
// Threads started at launch that no run adopted (a flag error ended it first) must not keep Node alive.
releasePrespawned();

#!/usr/bin/env node
import { main } from '../runtime/cli/main.js';

process.setSourceMapsEnabled(true);
process.exitCode = await main(process.argv.slice(2));

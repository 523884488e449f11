#!/usr/bin/env node
// Launcher only: everything lives in the compiled CLI.
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv);

#!/usr/bin/env node
// The s3kit command: a thin shim over the built CLI, which imports only s3kit's public API.
import { runCli } from '../dist/cli.js';

await runCli();

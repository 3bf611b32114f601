#!/usr/bin/env node
/**
 * @module bin/thumbflare
 * `thumbflare sign <url> [--key K] [--expires <unix> | --ttl <seconds>]`
 * Plain Node ESM (Node 20+), no build step: all logic is in
 * src/security/cli.mjs and src/security/sign-core.mjs, shared with the Worker,
 * so the CLI cannot drift from what the Worker verifies.
 */
import { runCli } from '../src/security/cli.mjs';

const { code, stdout, stderr } = await runCli(process.argv.slice(2), process.env, Date.now() / 1000);
if (stdout) process.stdout.write(stdout);
if (stderr) process.stderr.write(stderr);
process.exitCode = code;

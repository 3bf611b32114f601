#!/usr/bin/env node
/**
 * @module scripts/cost-table
 * Prints docs/deploy.md's cost table from bench/results.json: what 1,000
 * transformations cost on the Workers Paid plan at the benchmark's measured
 * compute (decode + transform + encode, what Workers bill as CPU), beside
 * Cloudflare Images' price. Prices: Cloudflare's Workers pricing page
 * (Standard usage model: $0.02 per million CPU ms and $0.30 per million
 * requests beyond the included 30 M CPU ms and 10 M requests a month) and
 * Cloudflare Images ($0.50 per 1,000 unique transformations).
 *
 *   node scripts/cost-table.mjs [bench/results.json]
 */
import { readFileSync } from 'node:fs';

const CPU_USD_PER_MS = 0.02 / 1e6;
const REQUEST_USD = 0.3 / 1e6;
const IMAGES_USD_PER_1000 = 0.5;

const results = JSON.parse(readFileSync(process.argv[2] ?? new URL('../bench/results.json', import.meta.url), 'utf8'));
console.log(`| case | CPU ms (median) | Workers Paid, per 1,000 | Cloudflare Images, per 1,000 |`);
console.log(`| --- | ---: | ---: | ---: |`);
for (const c of results.cases) {
  if (typeof c.tfComputeMs !== 'number') continue;
  const usd = 1000 * (c.tfComputeMs * CPU_USD_PER_MS + REQUEST_USD);
  console.log(`| ${c.label.replace(/→/g, '->')} | ${c.tfComputeMs.toFixed(0)} | $${usd.toFixed(4)} | $${IMAGES_USD_PER_1000.toFixed(2)} |`);
}
console.log(`\nFrom the benchmark run of ${results.date.slice(0, 10)} (commit ${results.git.commit.slice(0, 7)}), beyond the plan's included usage; cache hits cost one request and almost no CPU.`);

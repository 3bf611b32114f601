/**
 * @module test/security/cli
 * The `thumbflare sign` command (its pure core, src/security/cli.mjs, run in
 * workerd): output verifies, options and errors.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/security/cli.mjs';
import { verifySignature } from '../../src/security/sign';

const KEY = 'cli-test-key-0123456789';
const NOW = 1_767_000_000;

describe('thumbflare sign', () => {
  it('prints the documented worked example', async () => {
    const r = await runCli(
      ['sign', '/photos/cat.jpg?w=640&q=75', '--key', 'thumbflare-docs-example-key', '--expires', '1767225600'],
      {},
      NOW,
    );
    expect(r).toEqual({
      code: 0,
      stdout: '/photos/cat.jpg?w=640&q=75&expires=1767225600&sig=LgXlE2s2ykhhzafFEldmIxT9sXHId5yOLyNrkjPBhjQ\n',
      stderr: '',
    });
  });

  it.each([
    [['sign', '/a.jpg', '--key', KEY], {}],
    [['sign', '/a.jpg', `--key=${KEY}`], {}],
    [['sign', '/a.jpg'], { THUMBFLARE_SIGNING_KEY: KEY }],
    [['sign', '/a.jpg'], { THUMBFLARE_SIGNING_KEY: `${KEY},older-key` }], // first key signs
    [['sign', '--key', KEY, '--', '/a.jpg'], {}],
    [['sign', 'https://thumbs.example.com/a.jpg?w=1', '--key', KEY], {}],
  ])('%j %j verifies', async (argv, env) => {
    const r = await runCli(argv, env, NOW);
    expect(r.code).toBe(0);
    await expect(verifySignature(new URL(r.stdout.trim(), 'https://x.example'), [KEY], NOW)).resolves.toBeUndefined();
  });

  it('--ttl sets expires relative to now; --key beats the env', async () => {
    const r = await runCli(['sign', '/a.jpg', '--ttl', '300', '--key', KEY], { THUMBFLARE_SIGNING_KEY: 'other' }, NOW + 0.7);
    expect(r.stdout).toMatch(new RegExp(`^/a\\.jpg\\?expires=${NOW + 300}&sig=[A-Za-z0-9_-]{43}\\n$`));
    const url = new URL(r.stdout.trim(), 'https://x.example');
    await expect(verifySignature(url, [KEY], NOW + 300)).resolves.toBeUndefined();
    await expect(verifySignature(url, [KEY], NOW + 301)).rejects.toThrow('signature expired');
  });

  it.each([
    [[]],
    [['frobnicate']],
    [['sign']],
    [['sign', '/a.jpg', '/b.jpg', '--key', KEY]],
    [['sign', '/a.jpg']], // no key anywhere
    [['sign', '/a.jpg', '--key']],
    [['sign', '/a.jpg', '--key', KEY, '--bogus', '1']],
    [['sign', '/a.jpg', '--key', KEY, '--ttl', '60', '--expires', '1']],
    [['sign', '/a.jpg', '--key', KEY, '--ttl', '-5']],
    [['sign', '/a.jpg', '--key', KEY, '--expires', '1e9']],
    [['sign', '/a.jpg', '--key', KEY, '--key', KEY]],
  ])('usage error %j -> exit 2', async (argv) => {
    const r = await runCli(argv, {}, NOW);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('Usage:');
  });

  it.each([['a.jpg'], ['ftp://x/a.jpg'], ['/a.jpg?sig=x']])('unsignable %j -> exit 1', async (url) => {
    const r = await runCli(['sign', url, '--key', KEY], {}, NOW);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^thumbflare: /);
  });

  it('--help prints usage to stdout', async () => {
    for (const argv of [['--help'], ['sign', '--help'], ['help']]) {
      const r = await runCli(argv, {}, NOW);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('thumbflare sign <url>');
    }
  });
});

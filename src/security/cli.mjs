/**
 * @module security/cli
 * The `thumbflare` command line, as a pure function of (argv, env, clock) so it
 * can be tested in workerd; `bin/thumbflare.mjs` only wires it to `process`.
 * Plain JavaScript: Node 20 runs it with no build step.
 */
import { parseSigningKeys, signUrl } from './sign-core.mjs';

export const USAGE = `Usage:
  thumbflare sign <url> [--key <key>] [--expires <unix-seconds> | --ttl <seconds>]

Prints <url> with a signature appended (and expires, when asked).
  <url>        absolute http(s) URL or root-relative path, e.g. '/photo.jpg?w=640'
  --key        signing key; default: env THUMBFLARE_SIGNING_KEY. Same format as the
               Worker's SIGNING_KEYS: with several comma-separated keys the first signs.
               Prefer the env variable: a --key value lands in shell history and ps.
  --expires    the URL stops working after this Unix time (seconds)
  --ttl        the URL stops working this many seconds from now
`;

/**
 * Reads `--name value` and `--name=value` options; everything else is positional.
 * @param {string[]} args
 */
function parseOptions(args) {
  /** @type {Record<string, string>} */
  const options = {};
  /** @type {string[]} */
  const positional = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (arg === '-h' || arg === '--help') {
      options.help = '';
      continue;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      if (!['key', 'expires', 'ttl'].includes(name)) throw new UsageError(`unknown option --${name}`);
      if (name in options) throw new UsageError(`--${name} given twice`);
      if (eq !== -1) options[name] = arg.slice(eq + 1);
      else if (i + 1 < args.length) options[name] = args[++i];
      else throw new UsageError(`--${name} needs a value`);
      continue;
    }
    positional.push(arg);
  }
  return { options, positional };
}

class UsageError extends Error {}

/**
 * Parses a whole non-negative number of seconds, refusing '', '1e3', '-5', '1.5'.
 * @param {string} name
 * @param {string} text
 */
function parseSeconds(name, text) {
  if (!/^[0-9]{1,12}$/.test(text)) throw new UsageError(`--${name} must be a whole number of seconds`);
  return Number(text);
}

/**
 * Runs the CLI. Returns the exit code and what to print; never touches process.
 * Exit codes: 0 success, 1 the URL could not be signed, 2 usage error.
 * @param {string[]} argv arguments after the program name
 * @param {Record<string, string | undefined>} env
 * @param {number} nowSeconds current Unix time, for --ttl
 * @returns {Promise<{ code: number, stdout: string, stderr: string }>}
 */
export async function runCli(argv, env, nowSeconds) {
  try {
    const [command, ...rest] = argv;
    if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
      return { code: command === undefined ? 2 : 0, stdout: command === undefined ? '' : USAGE, stderr: command === undefined ? USAGE : '' };
    }
    if (command !== 'sign') throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    const { options, positional } = parseOptions(rest);
    if ('help' in options) return { code: 0, stdout: USAGE, stderr: '' };
    if (positional.length !== 1) throw new UsageError('expected exactly one URL');
    if ('expires' in options && 'ttl' in options) throw new UsageError('give --expires or --ttl, not both');

    const keys = parseSigningKeys(options.key ?? env.THUMBFLARE_SIGNING_KEY);
    if (keys.length === 0) throw new UsageError('no key: pass --key or set THUMBFLARE_SIGNING_KEY');
    /** @type {{ expires?: number }} */
    const opts = {};
    if ('expires' in options) opts.expires = parseSeconds('expires', options.expires);
    if ('ttl' in options) opts.expires = Math.floor(nowSeconds) + parseSeconds('ttl', options.ttl);

    const signed = await signUrl(positional[0], keys[0], opts);
    return { code: 0, stdout: `${signed}\n`, stderr: '' };
  } catch (err) {
    if (err instanceof UsageError) return { code: 2, stdout: '', stderr: `thumbflare: ${err.message}\n\n${USAGE}` };
    const message = err instanceof Error ? err.message : String(err);
    return { code: 1, stdout: '', stderr: `thumbflare: ${message}\n` };
  }
}

/**
 * The playground page as HTML (the browser test, test/integration/playground.test.mjs,
 * drives it in Chromium): one control per PARAM_SPECS row, generated from the row,
 * so a new row appears by itself; the table's UI hints agree with its parsers; the
 * page is self-contained under its nonce CSP and echoes nothing from the request.
 * Parsed with workerd's HTMLRewriter, not regular expressions.
 */
import { describe, expect, it } from 'vitest';
import { readConfig, type Env } from '../../src/config';
import { PARAM_SPECS, SPEC_BY_NAME, type ParamSpec } from '../../src/options/params';
import { playgroundParamNames, renderOptionControls, renderPlaygroundPage } from '../../src/pages/playground';
import { callWorker, testEnv } from '../support/worker';

interface Element {
  tag: string;
  attrs: Record<string, string>;
  text: string;
  options: string[];
}

/** Elements matching `selector`, with their attributes, text and (for selects) option values. */
async function collect(html: string, selector: string): Promise<Element[]> {
  const found: Element[] = [];
  let current: Element | null = null;
  await new HTMLRewriter()
    .on(selector, {
      element(e) {
        current = { tag: e.tagName, attrs: Object.fromEntries(e.attributes), text: '', options: [] };
        found.push(current);
      },
      text(t) {
        if (current) current.text += t.text;
      },
    })
    .on(`${selector} option`, {
      element(e) {
        current?.options.push(e.getAttribute('value') ?? '');
      },
    })
    .transform(new Response(html))
    .text();
  return found;
}

const config = readConfig(testEnv({ ORIGIN: '' }) as Env);
const limits = { maxDimension: config.maxDimension };
const page = renderPlaygroundPage(config, '9.9.9');
/** The URL name of each row's control: its key (an alias only if two rows share a key). */
const NAMES = playgroundParamNames(PARAM_SPECS);
const ROWS = PARAM_SPECS.map((s, i) => [NAMES[i]!, s] as const);

describe('playground controls come from the parameter table', () => {
  it('has exactly one control per PARAM_SPECS row, named after its key', async () => {
    const controls = await collect(page, '[data-param]');
    expect(controls.map((c) => c.attrs['data-param'])).toEqual(NAMES);
    expect(controls.length).toBe(PARAM_SPECS.length);
    for (const c of controls) expect(c.attrs.id).toBe(`opt-${c.attrs['data-param']}`);
  });

  it('each control writes a unique name that the parser maps back to its row', () => {
    expect(new Set(NAMES).size).toBe(PARAM_SPECS.length);
    NAMES.forEach((name, i) => expect(SPEC_BY_NAME.get(name), name).toBe(PARAM_SPECS[i]));
  });

  it('two rows sharing a key get distinct names (the second takes its alias)', () => {
    const read = () => 1;
    const rows: ParamSpec[] = [
      { key: 'trim', aliases: [], describe: () => 'x', read },
      { key: 'trim', aliases: ['trim.top'], describe: () => 'y', read },
    ];
    expect(playgroundParamNames(rows)).toEqual(['trim', 'trim.top']);
  });

  it.each(ROWS)('%s: control kind follows its ui hint', async (key, spec) => {
    const [c] = await collect(page, `[data-param="${key}"]`);
    const kind = spec.ui?.kind ?? 'text';
    if (kind === 'enum') {
      expect(c!.tag).toBe('select');
      expect(c!.options).toEqual(['', ...spec.ui!.choices!]);
    } else {
      expect(c!.tag).toBe('input');
      expect(c!.attrs.type).toBe(kind === 'int' || kind === 'number' ? 'number' : 'text');
    }
  });

  it.each(ROWS)('%s: its label shows the name, aliases and describe text', async (key, spec) => {
    const [label] = await collect(page, `label[for="opt-${key}"]`);
    expect(label!.text).toContain(key);
    for (const alias of spec.aliases) expect(label!.text).toContain(alias);
    expect(label!.text).toContain(spec.describe(limits).replace(/&/g, '&amp;'));
  });

  it('every choice a ui hint offers is a value the row accepts', () => {
    const offered = PARAM_SPECS.flatMap((s) => (s.ui?.choices ?? []).map((c) => [s, c] as const));
    expect(offered.length).toBeGreaterThan(20);
    for (const [spec, choice] of offered) expect(spec.read(choice, limits), `${spec.key}=${choice}`).not.toBeUndefined();
  });

  it('a row without a ui hint (a new option) still gets a text input; an enum hint a select', async () => {
    const rows: ParamSpec[] = [
      { key: 'zoom', aliases: ['z'], describe: () => 'a number from 0 to 1 <test>', read: () => 1 },
      { key: 'colorProfile', aliases: ['color-profile'], describe: () => 'srgb or keep', read: () => 'keep', ui: { kind: 'enum', choices: ['srgb', 'keep'] } },
    ];
    const html = renderOptionControls(rows, limits);
    const controls = await collect(html, '[data-param]');
    expect(controls.map((c) => [c.tag, c.attrs.type ?? '', c.attrs.id])).toEqual([
      ['input', 'text', 'opt-zoom'],
      ['select', '', 'opt-colorProfile'],
    ]);
    expect(controls[1]!.options).toEqual(['', 'srgb', 'keep']);
    expect(html).toContain('also color-profile');
    expect(html).toContain('a number from 0 to 1 &lt;test&gt;'); // table text is escaped, not markup
  });

  it('the client data lists the same parameters and only Cloudflare as enabled by default', async () => {
    const [data] = await collect(page, 'script#playground-data');
    expect(data!.attrs.type).toBe('application/json');
    const parsed = JSON.parse(data!.text) as { params: { key: string; row: string }[]; dialects: string[] };
    expect(parsed.params.map((p) => p.key)).toEqual(NAMES);
    expect(parsed.params.map((p) => p.row)).toEqual(PARAM_SPECS.map((s) => s.key));
    expect(parsed.dialects).toEqual(['cloudflare']);
    const [dialect] = await collect(page, 'select#dialect');
    expect(dialect!.options).toEqual(['cf-query', 'cf-cdn-cgi', 'thumbor', 'imgproxy']);
    expect(dialect!.attrs['data-enabled']).toBe('cloudflare');
  });

  it('enabled dialects come from config.dialects when a deployment sets them', async () => {
    const html = renderPlaygroundPage({ ...config, dialects: ['thumbor', 'imgproxy'] }, '9.9.9');
    const [dialect] = await collect(html, 'select#dialect');
    expect(dialect!.attrs['data-enabled']).toBe('imgproxy thumbor');
    const listed = renderPlaygroundPage({ ...config, dialects: ['cloudflare', 'thumbor'] }, '9.9.9');
    expect((await collect(listed, 'select#dialect'))[0]!.attrs['data-enabled']).toBe('cloudflare thumbor');
  });
});

describe('playground safety', () => {
  it('is self-contained: inline script and style under the CSP nonce, nothing external', async () => {
    const [csp] = await collect(page, 'meta[http-equiv="Content-Security-Policy"]');
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp!.attrs.content!)![1];
    expect(csp!.attrs.content).toContain(`style-src 'nonce-${nonce}'`);
    expect(csp!.attrs.content).toContain("connect-src 'self'");
    const scripts = await collect(page, 'script');
    expect(scripts).toHaveLength(2);
    expect(scripts.filter((s) => s.attrs.nonce === nonce)).toHaveLength(1);
    expect(scripts.every((s) => !('src' in s.attrs))).toBe(true);
    const styles = await collect(page, 'style');
    expect(styles.map((s) => s.attrs.nonce)).toEqual([nonce]);
    const links = await collect(page, '[href], [src]');
    expect(links.map((l) => l.attrs.href ?? l.attrs.src)).toEqual(['data:,']);
  });

  it('echoes nothing from the request, and each response has its own nonce', async () => {
    const probe = '<script>alert(1)</script>';
    const a = await callWorker(`/?q=${encodeURIComponent(probe)}&x=%22onload%3D`, { env: { ORIGIN: '' } });
    const b = await callWorker('/', { env: { ORIGIN: '' } });
    expect(a.status).toBe(200);
    const html = await a.text();
    expect(html).toContain('data-param="width"');
    expect(html).not.toContain('alert(1)');
    expect(html).not.toContain('onload=');
    const nonceOf = (h: string) => /'nonce-([^']+)'/.exec(h)![1];
    expect(nonceOf(html)).not.toBe(nonceOf(await b.text()));
  });
});

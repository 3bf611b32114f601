/**
 * Run by next.test.mjs as a child process (cwd = fixtures/next-app, NODE_ENV=development):
 * feeds the fixture's loader file through Next's own getImgProps, whose dev-mode
 * check warns "has a \"loader\" property that does not implement width". A
 * production `next build` never runs that check, so this is where it can fire.
 * A control loader that ignores width must trigger it, proving the check ran.
 * Prints JSON: { ours: string[], control: string[] }.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(join(process.cwd(), 'package.json'));
const { getImgProps } = require('next/dist/shared/lib/get-img-props.js');
const { imageConfigDefault } = require('next/dist/shared/lib/image-config.js');
const { default: loader } = await import(pathToFileURL(join(process.cwd(), 'thumbflare-loader.mjs')).href);

const warnings = [];
console.warn = (...args) => warnings.push(args.map(String).join(' '));
const allSizes = [...imageConfigDefault.deviceSizes, ...imageConfigDefault.imageSizes].sort((a, b) => a - b);
const imgConf = { ...imageConfigDefault, loader: 'custom', allSizes };
const state = (defaultLoader) => ({ imgConf, showAltText: false, blurComplete: false, defaultLoader });

for (const src of JSON.parse(process.argv[2])) {
  getImgProps({ src, alt: '', width: 100, height: 100, sizes: '50vw' }, state(loader));
  getImgProps({ src, alt: '', width: 100, height: 100 }, state(loader));
}
const ours = warnings.splice(0);
getImgProps({ src: '/photos/a.jpg', alt: '', width: 100, height: 100 }, state(({ src }) => src));
console.log(JSON.stringify({ ours, control: warnings }));

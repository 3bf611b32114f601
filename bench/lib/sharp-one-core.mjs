/**
 * @module bench/lib/sharp-one-core
 * sharp on one core: the issue's "against sharp, 1 thread" baseline.
 *
 * `sharp.concurrency(1)` sets libvips' worker threads to one, but a save to a
 * buffer runs through `vips_sink_disc`, whose write-behind thread compresses
 * one strip while the worker computes the next. So a large JPEG output uses
 * both cores even at concurrency 1: 12 MP -> 3840 w JPEG took 140 ms of wall
 * time for 205-238 ms of CPU here (process.cpuUsage), while a 300 w thumbnail
 * is 34 ms for 35 ms. A Worker isolate has one thread. This child process runs
 * the same job (bench/lib/sharp-job.mjs) pinned to one core with taskset(1),
 * so its wall time is what libvips does on one thread; the bench still times
 * the in-process, two-thread run too and reports both.
 *
 * Spawned as `taskset -c <core> node <this file>` with an IPC channel (advanced
 * serialisation, so Buffers cross as Buffers). Returns null where taskset or a
 * second core is missing; the bench then reports the in-process figure alone.
 */
import { spawn, spawnSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);

if (process.send && process.argv[2] === 'child') {
  const { timeSharp } = await import('./sharp-job.mjs');
  const images = {};
  process.on('message', async (msg) => {
    if (msg.type === 'image') {
      images[msg.name] = msg.body;
      process.send({ id: msg.id });
    } else if (msg.type === 'run') {
      try {
        const r = await timeSharp(msg.c, images[msg.c.src]);
        process.send({ id: msg.id, ms: r.ms, body: r.body });
      } catch (e) {
        process.send({ id: msg.id, error: String(e?.message ?? e) });
      }
    }
  });
  process.send({ ready: true });
}

/**
 * Starts the pinned child and hands it the bench images.
 * @param images name -> { body: Buffer }
 * @param core which CPU to pin it to (default: the last one)
 */
export async function startSharpOneCore(images, core = os.cpus().length - 1) {
  if (os.cpus().length < 2 || spawnSync('taskset', ['--version']).status !== 0) return null;
  const child = spawn('taskset', ['-c', String(core), process.execPath, SELF, 'child'], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  const pending = new Map();
  let seq = 0;
  let ready;
  const started = new Promise((resolve, reject) => {
    ready = resolve;
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`sharp one-core child exited (${code})`)));
  });
  child.on('message', (msg) => {
    if (msg.ready) return ready();
    const p = pending.get(msg.id);
    pending.delete(msg.id);
    if (msg.error) p?.reject(new Error(msg.error));
    else p?.resolve(msg.body ? { ms: msg.ms, body: Buffer.from(msg.body) } : undefined);
  });
  const call = (msg) => new Promise((resolve, reject) => {
    const id = ++seq;
    pending.set(id, { resolve, reject });
    child.send({ ...msg, id });
  });
  await started;
  for (const [name, img] of Object.entries(images)) await call({ type: 'image', name, body: img.body });
  return {
    core,
    /** One job, timed inside the child (its wall time on the pinned core). */
    run: (c) => call({ type: 'run', c: { src: c.src, width: c.width, format: c.format, sharpFormat: c.sharpFormat, quality: c.quality, sharpQuality: c.sharpQuality } }),
    close: () => child.kill(),
  };
}

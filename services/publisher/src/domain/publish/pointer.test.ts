import { Manifest } from '@recsys/contracts-publisher';
import { MemoryStore } from '../../adapters/memory-store.js';
import { movePointer, PointerConflictError, readCurrent, readHistory, rollbackTarget } from './pointer.js';
import { keys } from './store.js';

const manifest = (version: string): Manifest =>
  Manifest.parse({
    v: 1,
    tenant: 'acme',
    surface: 'home',
    version,
    current: { popularity: `memory://registry/objects/acme/home/popularity/${version}.json` },
    updated_at: '2026-01-01T00:00:00Z',
  });

const move = (store: MemoryStore, version: string, extra: Partial<Parameters<typeof movePointer>[1]> = {}) =>
  movePointer(store, {
    tenant: 'acme',
    surface: 'home',
    manifest: manifest(version),
    manifestKey: keys.staged('acme', 'home', version),
    action: 'publish',
    writer: 'w1',
    now: new Date('2026-01-02T00:00:00Z'),
    ...extra,
  });

describe.each([
  ['enforces conditional writes', true],
  ['ignores conditional writes (like s3rver)', false],
])('pointer protocol on a store that %s', (_label, conditional) => {
  it('when two versions are published, then current, pointer records and history advance in sequence', async () => {
    const store = new MemoryStore(conditional);
    await move(store, 'v1', { expectedCurrent: null });
    const second = await move(store, 'v2', { expectedCurrent: 'v1' });
    expect(second).toMatchObject({ seq: 2, previousVersion: 'v1' });
    const current = await readCurrent(store, 'acme', 'home');
    expect(current.manifest).toMatchObject({ version: 'v2', seq: 2, previous_version: 'v1' });
    expect(await store.list(keys.pointerDir('acme', 'home'))).toEqual([
      'registry/current/acme/home/manifest.json',
      'registry/current/acme/home/pointer-000000000001.json',
      'registry/current/acme/home/pointer-000000000002.json',
    ]);
    expect(
      (await readHistory(store, 'acme', 'home')).map((e) => [e.seq, e.version, e.previous_version]),
    ).toEqual([
      [1, 'v1', null],
      [2, 'v2', 'v1'],
    ]);
  });

  it('when current moved since the caller read it, then the move is refused and current is untouched', async () => {
    const store = new MemoryStore(conditional);
    await move(store, 'v1');
    await expect(move(store, 'v2', { expectedCurrent: null })).rejects.toThrow(PointerConflictError);
    expect((await readCurrent(store, 'acme', 'home')).manifest?.version).toBe('v1');
  });

  it('when the process dies after the pointer record but before the swap, then current is untouched and the next move skips the orphan seq', async () => {
    const store = new MemoryStore(conditional);
    await move(store, 'v1');
    await expect(
      move(store, 'v2', {
        beforeSwap: () => {
          throw new Error('crash');
        },
      }),
    ).rejects.toThrow('crash');
    expect((await readCurrent(store, 'acme', 'home')).manifest?.version).toBe('v1');
    expect((await readHistory(store, 'acme', 'home')).map((e) => e.version)).toEqual(['v1']); // orphan record is not history
    const next = await move(store, 'v3');
    expect(next.seq).toBe(3);
    expect((await readCurrent(store, 'acme', 'home')).manifest).toMatchObject({
      version: 'v3',
      previous_version: 'v1',
    });
  });

  it('when another writer swaps current between our read and our write, then an enforcing store refuses ours; otherwise last writer wins', async () => {
    const store = new MemoryStore(conditional);
    await move(store, 'v1');
    store.beforePut = async (key) => {
      if (key !== keys.current('acme', 'home')) return;
      store.beforePut = undefined;
      await store.put(key, JSON.stringify({ ...manifest('rogue'), seq: 2 }));
    };
    if (conditional) {
      await expect(move(store, 'v2')).rejects.toThrow(/changed while publishing/);
      expect((await readCurrent(store, 'acme', 'home')).manifest?.version).toBe('rogue');
    } else {
      // Without If-Match this window cannot be closed by the store; the advisory lock closes it (ADR 0006).
      await expect(move(store, 'v2')).resolves.toMatchObject({ seq: 2 });
      expect((await readCurrent(store, 'acme', 'home')).manifest?.version).toBe('v2');
    }
  });

  it('when a rival record takes our sequence number, then the move is refused before current is touched', async () => {
    const store = new MemoryStore(conditional);
    await move(store, 'v1');
    const rival = JSON.stringify({ v: 1, seq: 2, version: 'other', writer: 'w2' });
    if (conditional) {
      store.beforePut = async (key) => {
        if (key !== keys.pointer('acme', 'home', 2)) return;
        store.beforePut = undefined;
        await store.put(key, rival);
      };
      await expect(move(store, 'v2')).rejects.toThrow(/already taken/);
    } else {
      store.afterPut = async (key) => {
        if (key !== keys.pointer('acme', 'home', 2)) return;
        store.afterPut = undefined;
        await store.put(key, rival); // the rival's PUT lands right after ours: our read-back sees it
      };
      await expect(move(store, 'v2')).rejects.toThrow(/overwritten by another writer/);
    }
    expect((await readCurrent(store, 'acme', 'home')).manifest?.version).toBe('v1');
  });

  if (!conditional) {
    it('when a rogue writer replaces current right after our swap, then the read-back reports the conflict', async () => {
      const store = new MemoryStore(false);
      await move(store, 'v1');
      store.afterPut = async (key) => {
        if (key !== keys.current('acme', 'home')) return;
        store.afterPut = undefined;
        await store.put(key, JSON.stringify({ ...manifest('rogue'), seq: 7 }));
      };
      await expect(move(store, 'v2')).rejects.toThrow(/overwritten by another writer right after our swap/);
    });
  }
});

describe('rollbackTarget', () => {
  const entry = (seq: number, version: string) => ({
    seq,
    version,
    action: 'publish' as const,
    at: '2026-01-01T00:00:00Z',
    previous_version: null,
    manifest_key: `k/${version}`,
  });

  it('when no version is named, then the newest entry different from current is chosen', () => {
    expect(rollbackTarget([entry(1, 'v1'), entry(2, 'v2')], 'v2')?.version).toBe('v1');
    expect(rollbackTarget([entry(1, 'v1')], 'v1')).toBeNull();
  });

  it('when a version is named, then it must be in the history', () => {
    expect(rollbackTarget([entry(1, 'v1'), entry(2, 'v2')], 'v2', 'v1')?.seq).toBe(1);
    expect(rollbackTarget([entry(1, 'v1')], 'v1', 'v9')).toBeNull();
  });
});

import {
  HistoryEntry,
  Manifest,
  PublishHistory,
  type HistoryEntry as HistoryEntryT,
} from '@recsys/contracts-publisher';
import { keys, PreconditionFailedError, seqOfPointerKey, type ObjectStore } from './store.js';

/**
 * Moves the `current` pointer of a (tenant, surface) — docs/adr/0006-publish-pointer-protocol.md.
 *
 * 1. Read current `manifest.json` (and its ETag) and the highest `pointer-{seq}.json`.
 * 2. If the caller expected another version to be current (it evaluated against it), refuse: conflict.
 * 3. Write the immutable pointer record `pointer-{seq+1}.json` (If-None-Match: * where enforced) and read it
 *    back: if another writer's record is there, refuse: conflict.
 * 4. Write `manifest.json` in one PUT (If-Match: the ETag from step 1 where enforced). Readers see the old or
 *    the new document, never a mix; every object it names was written and verified before.
 * 5. Without enforced conditions, read `manifest.json` back and check it is ours (detects a lost race).
 * 6. Append to `history.json` (derived; the pointer records are the source of truth).
 * The CLI additionally holds a Postgres advisory lock per (tenant, surface) around this function, so two
 * publishers of one deployment never race; the checks above catch writers outside it.
 */
export class PointerConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PointerConflictError';
  }
}

export interface PointerRecord {
  v: 1;
  seq: number;
  version: string;
  previous_version: string | null;
  action: HistoryEntryT['action'];
  manifest_key: string;
  writer: string;
  at: string;
  forced_reason?: string;
}

export interface CurrentState {
  manifest: Manifest | null;
  etag: string | null;
  seq: number;
}

export async function readCurrent(
  store: ObjectStore,
  tenant: string,
  surface: string,
): Promise<CurrentState> {
  const object = await store.get(keys.current(tenant, surface));
  if (!object) return { manifest: null, etag: null, seq: 0 };
  const manifest = Manifest.parse(JSON.parse(object.body.toString('utf8')));
  return { manifest, etag: object.etag, seq: manifest.seq ?? 0 };
}

async function highestPointerSeq(store: ObjectStore, tenant: string, surface: string): Promise<number> {
  let max = 0;
  for (const key of await store.list(keys.pointerDir(tenant, surface))) {
    const seq = seqOfPointerKey(key);
    if (seq !== null && seq > max) max = seq;
  }
  return max;
}

export interface MoveRequest {
  tenant: string;
  surface: string;
  /** The manifest to make current (the staged one); `seq`, `updated_at`, `previous_version` are set here. */
  manifest: Manifest;
  manifestKey: string;
  action: HistoryEntryT['action'];
  /** Version the caller believes is current (undefined: do not check). */
  expectedCurrent?: string | null;
  writer: string;
  now: Date;
  /** Test hook: runs after the pointer record is written, before manifest.json moves. */
  beforeSwap?: () => Promise<void> | void;
}

export interface MoveResult {
  seq: number;
  previousVersion: string | null;
  manifest: Manifest;
}

export async function movePointer(store: ObjectStore, request: MoveRequest): Promise<MoveResult> {
  const { tenant, surface } = request;
  const current = await readCurrent(store, tenant, surface);
  const previousVersion = current.manifest?.version ?? null;
  if (request.expectedCurrent !== undefined && request.expectedCurrent !== previousVersion) {
    throw new PointerConflictError(
      `current of ${tenant}/${surface} is ${previousVersion ?? 'unset'}, expected ${request.expectedCurrent ?? 'unset'}: another publish happened meanwhile`,
    );
  }
  const seq = Math.max(current.seq, await highestPointerSeq(store, tenant, surface)) + 1;
  const at = request.now.toISOString();
  const record: PointerRecord = {
    v: 1,
    seq,
    version: request.manifest.version,
    previous_version: previousVersion,
    action: request.action,
    manifest_key: request.manifestKey,
    writer: request.writer,
    at,
    ...(request.manifest.forced_reason ? { forced_reason: request.manifest.forced_reason } : {}),
  };
  const pointerKey = keys.pointer(tenant, surface, seq);
  try {
    await store.put(pointerKey, JSON.stringify(record, null, 2), { ifNoneMatch: '*' });
  } catch (error) {
    if (error instanceof PreconditionFailedError)
      throw new PointerConflictError(`pointer ${seq} already taken by another writer`);
    throw error;
  }
  const readBack = await store.get(pointerKey);
  const readRecord = readBack ? (JSON.parse(readBack.body.toString('utf8')) as PointerRecord) : null;
  if (!readRecord || readRecord.writer !== request.writer) {
    throw new PointerConflictError(`pointer ${seq} was overwritten by another writer`);
  }
  await request.beforeSwap?.();
  const manifest: Manifest = {
    ...request.manifest,
    seq,
    previous_version: previousVersion,
    updated_at: at,
  };
  const body = JSON.stringify(manifest, null, 2);
  const currentKey = keys.current(tenant, surface);
  try {
    await store.put(currentKey, body, current.etag ? { ifMatch: current.etag } : { ifNoneMatch: '*' });
  } catch (error) {
    if (error instanceof PreconditionFailedError) {
      throw new PointerConflictError(`current of ${tenant}/${surface} changed while publishing`);
    }
    throw error;
  }
  if (!store.conditionalWrites) {
    const check = await readCurrent(store, tenant, surface);
    if (check.manifest?.version !== manifest.version || check.seq !== seq) {
      throw new PointerConflictError(
        `current of ${tenant}/${surface} was overwritten by another writer right after our swap`,
      );
    }
  }
  await appendHistory(store, tenant, surface, {
    seq,
    version: manifest.version,
    action: request.action,
    at,
    previous_version: previousVersion,
    manifest_key: request.manifestKey,
    ...(manifest.forced_reason ? { forced_reason: manifest.forced_reason } : {}),
  });
  return { seq, previousVersion, manifest };
}

/** The history file, rebuilt from the pointer records when it is missing or behind them. */
export async function readHistory(
  store: ObjectStore,
  tenant: string,
  surface: string,
): Promise<HistoryEntryT[]> {
  const object = await store.get(keys.history(tenant, surface));
  const entries = object ? PublishHistory.parse(JSON.parse(object.body.toString('utf8'))).entries : [];
  const known = new Set(entries.map((e) => e.seq));
  const pointerKeys = await store.list(keys.pointerDir(tenant, surface));
  const current = await readCurrent(store, tenant, surface);
  for (const key of pointerKeys) {
    const seq = seqOfPointerKey(key);
    if (seq === null || known.has(seq)) continue;
    const pointer = await store.get(key);
    if (!pointer) continue;
    const record = JSON.parse(pointer.body.toString('utf8')) as PointerRecord;
    // A record whose swap never happened (crash between record and swap) is not history.
    if (record.seq > current.seq) continue;
    entries.push(
      HistoryEntry.parse({
        seq: record.seq,
        version: record.version,
        action: record.action,
        at: record.at,
        previous_version: record.previous_version,
        manifest_key: record.manifest_key,
        ...(record.forced_reason ? { forced_reason: record.forced_reason } : {}),
      }),
    );
  }
  return entries.sort((a, b) => a.seq - b.seq);
}

async function appendHistory(
  store: ObjectStore,
  tenant: string,
  surface: string,
  entry: HistoryEntryT,
): Promise<void> {
  const key = keys.history(tenant, surface);
  for (let attempt = 0; attempt < 5; attempt++) {
    const object = await store.get(key);
    const history: PublishHistory = object
      ? PublishHistory.parse(JSON.parse(object.body.toString('utf8')))
      : { v: 1, tenant, surface, entries: [] };
    history.entries = history.entries.filter((e) => e.seq !== entry.seq);
    history.entries.push(entry);
    history.entries.sort((a, b) => a.seq - b.seq);
    try {
      await store.put(
        key,
        JSON.stringify(history, null, 2),
        object ? { ifMatch: object.etag } : { ifNoneMatch: '*' },
      );
      return;
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
    }
  }
  throw new PointerConflictError(
    `history of ${tenant}/${surface} kept changing; pointer moved, history not updated`,
  );
}

/** The version to roll back to: `to` when given (must be in the history), else the one before current. */
export function rollbackTarget(
  history: HistoryEntryT[],
  currentVersion: string | null,
  to?: string,
): HistoryEntryT | null {
  if (to) return [...history].reverse().find((e) => e.version === to) ?? null;
  // Walk back from the newest entry to the first version different from current.
  for (let i = history.length - 1; i >= 0; i--) {
    const entry = history[i]!;
    if (entry.version !== currentVersion) return entry;
  }
  return null;
}

import type { Redis } from 'ioredis';
import client from 'prom-client';
import type { z } from 'zod';
import type { Logger } from './logger.js';
import { defineScript } from './redis.js';
import { currentTraceCarrier, withTraceCarrier } from './telemetry.js';

/**
 * Redis Streams with at-least-once delivery. Each entry has the fields `type`, `payload` (JSON) and the
 * W3C trace context (`traceparent`, `tracestate`) of the producer. Consumers must be idempotent.
 */
export interface StreamMessage<T = unknown> {
  id: string;
  type: string;
  payload: T;
  /** How many times this entry has been delivered to a consumer of the group (1 on first delivery). */
  deliveries: number;
  trace: Record<string, string>;
}

/** Entries per script call: bounds how long one call holds Redis (about a millisecond per thousand). */
const SCRIPT_BATCH = 1000;

/** The trace fields of every entry of a script call: ARGV[2] = their count n, ARGV[3 .. 2 + n] = the fields. */
const TRACE_ARGS = `
local n = tonumber(ARGV[2])
local trace = {}
for i = 1, n do trace[i] = ARGV[2 + i] end
`;

/**
 * KEYS[1] = stream, ARGV[1] = maxlen, trace (see TRACE_ARGS), then type/payload pairs. One
 * `XADD stream MAXLEN ~ maxlen * type <type> payload <payload> <trace…>` per pair; returns the ids in order.
 */
const XADD_MANY = `${TRACE_ARGS}
local ids = {}
for i = 3 + n, #ARGV, 2 do
  ids[#ids + 1] = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*',
    'type', ARGV[i], 'payload', ARGV[i + 1], unpack(trace))
end
return ids
`;

/** As XADD_MANY, with the entries packed in one argument after the trace (see publishPacked); returns their count. */
const XADD_PACKED = `${TRACE_ARGS}
local text = ARGV[3 + n]
local len = #text
local pos = 1
local count = 0
while pos <= len do
  local nl = string.find(text, '\\n', pos, true) or (len + 1)
  local tab = string.find(text, '\\t', pos, true)
  if not tab or tab > nl then return redis.error_reply('packed stream entry without a type') end
  redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*',
    'type', string.sub(text, pos, tab - 1), 'payload', string.sub(text, tab + 1, nl - 1), unpack(trace))
  count = count + 1
  pos = nl + 1
end
return count
`;

/** The two scripts as client commands (defineScript). */
type ScriptCall<R> = (stream: string, ...args: string[]) => R;
interface ScriptCommands {
  recsysXaddMany: ScriptCall<Promise<string[]>>;
  recsysXaddPacked: ScriptCall<Promise<number>>;
}
/** A pipeline of a client with the scripts defined has them too. */
type ScriptPipeline = ReturnType<Redis['pipeline']> & {
  recsysXaddMany: ScriptCall<unknown>;
  recsysXaddPacked: ScriptCall<unknown>;
};

export class StreamProducer {
  private readonly redis: Redis & ScriptCommands;

  constructor(
    redis: Redis,
    private readonly stream: string,
    /** Approximate cap on the stream length (XADD MAXLEN ~). */
    private readonly maxLength: number,
  ) {
    defineScript(redis, 'recsysXaddMany', XADD_MANY);
    defineScript(redis, 'recsysXaddPacked', XADD_PACKED);
    this.redis = redis as Redis & ScriptCommands;
  }

  async publish(type: string, payload: unknown): Promise<string> {
    const fields = ['type', type, 'payload', JSON.stringify(payload)];
    for (const [key, value] of Object.entries(currentTraceCarrier())) fields.push(key, value);
    const id = await this.redis.xadd(this.stream, 'MAXLEN', '~', String(this.maxLength), '*', ...fields);
    return id as string;
  }

  /**
   * Several entries in one round trip, in order. They are added by a server-side script, up to SCRIPT_BATCH
   * entries per call; each entry is the XADD `publish` does. A failure part-way leaves the entries before it
   * on the stream (delivery is at-least-once anyway).
   */
  async publishMany(entries: { type: string; payload: unknown }[]): Promise<string[]> {
    if (entries.length === 0) return [];
    const head = this.scriptHead();
    const calls: string[][] = [];
    for (let start = 0; start < entries.length; start += SCRIPT_BATCH) {
      const args = head.slice();
      for (const entry of entries.slice(start, start + SCRIPT_BATCH))
        args.push(entry.type, JSON.stringify(entry.payload));
      calls.push(args);
    }
    if (calls.length === 1) return this.redis.recsysXaddMany(this.stream, ...calls[0]!);
    const pipeline = this.redis.pipeline() as ScriptPipeline;
    for (const args of calls) pipeline.recsysXaddMany(this.stream, ...args);
    const ids: string[] = [];
    for (const [error, batch] of (await pipeline.exec()) ?? []) {
      if (error) throw error;
      ids.push(...(batch as string[]));
    }
    return ids;
  }

  /**
   * Entries packed as text, one per line: `<type>\t<payload>`, lines separated by `\n`, where the payload
   * is JSON text exactly as JSON.stringify writes it (which never contains a raw tab or line break) and the
   * type contains neither. Published like publishMany without re-encoding anything here: the lines are split
   * by the script. Returns how many entries were added.
   */
  async publishPacked(packed: string): Promise<number> {
    if (!packed) return 0;
    const head = this.scriptHead();
    const chunks: string[] = [];
    let start = 0;
    while (start < packed.length) {
      let end = start;
      for (let lines = 0; lines < SCRIPT_BATCH && end < packed.length; lines++) {
        const nl = packed.indexOf('\n', end);
        end = nl === -1 ? packed.length : nl + 1;
      }
      chunks.push(start === 0 && end === packed.length ? packed : packed.slice(start, end));
      start = end;
    }
    if (chunks.length === 1) return this.redis.recsysXaddPacked(this.stream, ...head, chunks[0]!);
    const pipeline = this.redis.pipeline() as ScriptPipeline;
    for (const chunk of chunks) pipeline.recsysXaddPacked(this.stream, ...head, chunk);
    let count = 0;
    for (const [error, added] of (await pipeline.exec()) ?? []) {
      if (error) throw error;
      count += added as number;
    }
    return count;
  }

  /** ARGV of a script call before its entries: maxlen, then the trace fields of the caller's context. */
  private scriptHead(): string[] {
    const trace = Object.entries(currentTraceCarrier()).flat();
    return [String(this.maxLength), String(trace.length), ...trace];
  }
}

export interface ConsumerOptions<T> {
  stream: string;
  group: string;
  consumer: string;
  /** Validates each payload; an entry that fails is dead-lettered at once (retrying cannot fix it). */
  schema?: z.ZodType<T>;
  /** Handles a batch; throw to leave the whole batch pending (it is then retried one entry at a time). */
  handleBatch: (messages: StreamMessage<T>[]) => Promise<void>;
  deadLetterStream: string;
  /** Entries delivered this many times without success go to the dead-letter stream. */
  maxDeliveries?: number;
  /** Pending entries idle this long are re-claimed (from a dead consumer, or for a retry). */
  claimIdleMs?: number;
  batchSize?: number;
  blockMs?: number;
  /** Where to start when the group does not exist yet: `0` (everything retained) or `$` (new entries). */
  startFrom?: '0' | '$';
  logger: Logger;
  onDeadLetter?: (message: StreamMessage<unknown>, reason: string) => void;
  /** When given, `recsys_stream_pending_entries{stream,group}` and `recsys_stream_dead_letter_entries{stream}` are kept up to date. */
  registry?: client.Registry;
}

function gauge(
  registry: client.Registry,
  name: string,
  help: string,
  labelNames: string[],
): client.Gauge<string> {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as client.Gauge<string>;
  // Under node:cluster every worker reports its own view; the worst one is what an alert needs.
  return new client.Gauge({ name, help, labelNames, registers: [registry], aggregator: 'max' });
}

type RawEntry = [id: string, fields: string[]];

export class StreamConsumer<T> {
  private running = false;
  private loop: Promise<void> | undefined;
  private lastClaim = 0;
  readonly maxDeliveries: number;
  readonly claimIdleMs: number;

  constructor(
    /** A dedicated connection: XREADGROUP BLOCK holds it. */
    private readonly redis: Redis,
    private readonly options: ConsumerOptions<T>,
  ) {
    this.maxDeliveries = options.maxDeliveries ?? 5;
    this.claimIdleMs = options.claimIdleMs ?? 30_000;
  }

  async ensureGroup(): Promise<void> {
    try {
      await this.redis.xgroup(
        'CREATE',
        this.options.stream,
        this.options.group,
        this.options.startFrom ?? '0',
        'MKSTREAM',
      );
    } catch (error) {
      if (!String((error as Error).message).includes('BUSYGROUP')) throw error;
    }
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Finishes the batch in hand, then stops; entries not yet acked stay pending for another consumer. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  get isRunning(): boolean {
    return this.running;
  }

  private async run(): Promise<void> {
    let groupReady = false;
    let backoffMs = 100;
    while (this.running) {
      try {
        if (!groupReady) {
          await this.ensureGroup();
          groupReady = true;
        }
        await this.pollOnce();
        backoffMs = 100;
      } catch (error) {
        if (String((error as Error).message).includes('NOGROUP')) groupReady = false;
        this.options.logger.warn(
          { err: error, stream: this.options.stream },
          'stream consumer error; retrying',
        );
        await sleep(backoffMs);
        backoffMs = Math.min(backoffMs * 2, 5000);
      }
    }
  }

  /** One claim-and-read cycle. Public so tests can drive the consumer step by step. */
  async pollOnce(): Promise<number> {
    let handled = 0;
    const claimCycle = Date.now() - this.lastClaim >= Math.min(this.claimIdleMs, 5000);
    if (claimCycle) {
      this.lastClaim = Date.now();
      handled += await this.claimStale();
    }
    const response = (await this.redis.xreadgroup(
      'GROUP',
      this.options.group,
      this.options.consumer,
      'COUNT',
      String(this.options.batchSize ?? 100),
      'BLOCK',
      String(this.options.blockMs ?? 1000),
      'STREAMS',
      this.options.stream,
      '>',
    )) as [string, RawEntry[]][] | null;
    const entries = response?.[0]?.[1] ?? [];
    if (entries.length) await this.process(entries.map((e) => this.decode(e, 1)));
    if (claimCycle) await this.recordBacklog();
    return handled + entries.length;
  }

  /** Pending entries of the group and dead-letter stream length, as gauges. */
  private async recordBacklog(): Promise<void> {
    const registry = this.options.registry;
    if (!registry) return;
    const summary = (await this.redis.xpending(this.options.stream, this.options.group)) as [
      number,
      ...unknown[],
    ];
    gauge(
      registry,
      'recsys_stream_pending_entries',
      'Entries delivered to a consumer group and not yet acked.',
      ['stream', 'group'],
    ).set({ stream: this.options.stream, group: this.options.group }, Number(summary[0] ?? 0));
    gauge(registry, 'recsys_stream_dead_letter_entries', 'Entries in a dead-letter stream.', ['stream']).set(
      { stream: this.options.deadLetterStream },
      await this.redis.xlen(this.options.deadLetterStream),
    );
  }

  private async claimStale(): Promise<number> {
    let cursor = '0-0';
    let handled = 0;
    do {
      const [next, claimed] = (await this.redis.xautoclaim(
        this.options.stream,
        this.options.group,
        this.options.consumer,
        this.claimIdleMs,
        cursor,
        'COUNT',
        String(this.options.batchSize ?? 100),
      )) as [string, RawEntry[], string[]?];
      cursor = next;
      const live = claimed.filter((entry) => entry && entry[1]);
      if (!live.length) continue;
      const counts = await this.deliveryCounts(live.map(([id]) => id));
      // Re-claimed entries are handled one at a time so a poison entry cannot hold back its neighbours.
      for (const entry of live) {
        await this.process([this.decode(entry, counts.get(entry[0]) ?? this.maxDeliveries)]);
        handled++;
      }
    } while (cursor !== '0-0' && this.running);
    return handled;
  }

  private async deliveryCounts(ids: string[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    const first = ids[0]!;
    const last = ids[ids.length - 1]!;
    const rows = (await this.redis.xpending(
      this.options.stream,
      this.options.group,
      first,
      last,
      ids.length,
    )) as [string, string, number, number][];
    for (const [id, , , deliveries] of rows) counts.set(id, deliveries);
    return counts;
  }

  private decode([id, fields]: RawEntry, deliveries: number): StreamMessage<unknown> & { raw: string } {
    const map: Record<string, string> = {};
    for (let i = 0; i + 1 < fields.length; i += 2) map[fields[i]!] = fields[i + 1]!;
    const trace: Record<string, string> = {};
    if (map.traceparent) trace.traceparent = map.traceparent;
    if (map.tracestate) trace.tracestate = map.tracestate;
    return { id, type: map.type ?? '', payload: map.payload, deliveries, trace, raw: map.payload ?? '' };
  }

  private async process(messages: (StreamMessage<unknown> & { raw: string })[]): Promise<void> {
    const valid: StreamMessage<T>[] = [];
    for (const message of messages) {
      const parsed = this.parse(message.raw);
      if (!parsed.ok) {
        await this.deadLetter(message, parsed.reason);
        continue;
      }
      valid.push({ ...message, payload: parsed.value });
    }
    if (!valid.length) return;
    try {
      await withTraceCarrier(valid[0]!.trace, () => this.options.handleBatch(valid));
      await this.redis.xack(this.options.stream, this.options.group, ...valid.map((m) => m.id));
    } catch (error) {
      if (valid.length > 1) {
        // Isolate the failing entry: retry each on its own; the good ones are acked now.
        for (const message of valid) await this.processOne(message);
        return;
      }
      await this.failed(valid[0]!, error);
    }
  }

  private async processOne(message: StreamMessage<T>): Promise<void> {
    try {
      await withTraceCarrier(message.trace, () => this.options.handleBatch([message]));
      await this.redis.xack(this.options.stream, this.options.group, message.id);
    } catch (error) {
      await this.failed(message, error);
    }
  }

  private async failed(message: StreamMessage<T>, error: unknown): Promise<void> {
    const reason = error instanceof Error ? error.message : String(error);
    if (message.deliveries >= this.maxDeliveries) {
      await this.deadLetter(message, `failed ${message.deliveries} deliveries: ${reason}`);
      return;
    }
    // Left pending: re-claimed after claimIdleMs with its delivery count incremented.
    this.options.logger.warn(
      { err: error, stream: this.options.stream, id: message.id, deliveries: message.deliveries },
      'stream entry failed; will retry',
    );
  }

  private parse(raw: string): { ok: true; value: T } | { ok: false; reason: string } {
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return { ok: false, reason: 'payload is not valid JSON' };
    }
    if (!this.options.schema) return { ok: true, value: json as T };
    const result = this.options.schema.safeParse(json);
    if (result.success) return { ok: true, value: result.data };
    const issue = result.error.issues[0];
    return {
      ok: false,
      reason: `invalid payload: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim(),
    };
  }

  private async deadLetter(
    message: StreamMessage<unknown> & { raw?: string },
    reason: string,
  ): Promise<void> {
    await this.redis.xadd(
      this.options.deadLetterStream,
      'MAXLEN',
      '~',
      '100000',
      '*',
      'type',
      message.type,
      'payload',
      message.raw ?? JSON.stringify(message.payload),
      'source_stream',
      this.options.stream,
      'source_id',
      message.id,
      'group',
      this.options.group,
      'reason',
      reason,
      'deliveries',
      String(message.deliveries),
    );
    await this.redis.xack(this.options.stream, this.options.group, message.id);
    this.options.logger.error(
      { stream: this.options.stream, id: message.id, reason },
      'stream entry dead-lettered',
    );
    this.options.onDeadLetter?.(message, reason);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

import { InputError, type InputRecord } from '../events.js';

/**
 * Decodes one line of ingest's export (or of a JSONL file with the same lines) into an input record.
 * Outcomes become events; catalog upserts and deletes become catalog records; exposures and assignments
 * carry no interaction and are skipped (null). A line that is not one of the documented shapes throws.
 */
export function decodeExportLine(raw: unknown, line: number): InputRecord | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new InputError('not a JSON object', line);
  const record = raw as Record<string, unknown>;
  const kind =
    record.kind ?? (record.type !== undefined && record.item_id !== undefined ? 'outcome' : undefined);
  switch (kind) {
    case 'outcome': {
      const itemId = str(record.item_id);
      const type = str(record.type);
      const at = time(record.occurred_at, line);
      if (!itemId) throw new InputError('outcome without item_id', line);
      if (!type) throw new InputError('outcome without type', line);
      const userId = str(record.user_id) ?? str(record.anonymous_id);
      const sessionId = str(record.session_id);
      const quantity = typeof record.quantity === 'number' ? record.quantity : undefined;
      return {
        kind: 'event',
        event: {
          type,
          itemId,
          at,
          ...(userId ? { userId } : {}),
          ...(sessionId ? { sessionId } : {}),
          ...(quantity !== undefined ? { quantity } : {}),
        },
      };
    }
    case 'catalog.upsert': {
      const item = record.item as Record<string, unknown> | undefined;
      const itemId = str(item?.item_id);
      if (!item || !itemId) throw new InputError('catalog.upsert without item.item_id', line);
      const tags = Array.isArray(item.tags)
        ? item.tags.filter((t): t is string => typeof t === 'string')
        : [];
      const title = str(item.title);
      const createdAt = str(item.created_at);
      return {
        kind: 'catalog',
        at: time(record.occurred_at, line),
        item: {
          itemId,
          tags: tags.map((t) => t.trim().toLowerCase()).filter(Boolean),
          available: item.available !== false,
          ...(title ? { title } : {}),
          ...(typeof item.price === 'number' && Number.isFinite(item.price) ? { price: item.price } : {}),
          ...(createdAt ? { createdAt } : {}),
        },
      };
    }
    case 'catalog.delete': {
      const itemId = str(record.item_id);
      if (!itemId) throw new InputError('catalog.delete without item_id', line);
      return { kind: 'catalog_delete', itemId, at: time(record.occurred_at, line) };
    }
    case 'exposure':
    case 'assignment':
      return null;
    default:
      throw new InputError(`unknown line kind ${JSON.stringify(kind)}`, line);
  }
}

function str(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed.length ? trimmed : undefined;
}

function time(value: unknown, line: number): number {
  const ms = typeof value === 'string' ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) throw new InputError(`invalid occurred_at ${JSON.stringify(value)}`, line);
  return ms;
}

export function parseJsonLine(text: string, line: number): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new InputError('invalid JSON', line);
  }
}

import { decodeExportLine } from './export-lines.js';
import { parseCsvLine } from './lines.js';
import { descriptionTags } from './readers.js';

describe('CSV line parsing', () => {
  it('when a field is quoted and holds commas and doubled quotes, then it is one field', () => {
    expect(parseCsvLine('536365,"SET 2, ""RED"" TEA",6')).toEqual(['536365', 'SET 2, "RED" TEA', '6']);
    expect(parseCsvLine('a,,c')).toEqual(['a', '', 'c']);
  });
});

describe('Online Retail description tags', () => {
  it('when the description has sizes, stop words and hyphens, then tags are the remaining lower-cased words', () => {
    expect(descriptionTags('WHITE HANGING HEART T-LIGHT HOLDER')).toEqual([
      'white',
      'hanging',
      'heart',
      'light',
      'holder',
    ]);
    expect(descriptionTags('SET OF 3 CAKE TINS PANTRY DESIGN')).toEqual(['cake', 'tins', 'pantry']);
  });
});

describe('export line decoding', () => {
  it('when an outcome line arrives, then it becomes an event with ids trimmed and time in ms', () => {
    expect(
      decodeExportLine(
        {
          kind: 'outcome',
          event_id: 'e1',
          tenant_id: 't',
          type: 'purchase',
          item_id: ' i1 ',
          user_id: 'u1',
          session_id: 's',
          occurred_at: '2026-01-01T00:00:00Z',
          cursor: 'c',
        },
        1,
      ),
    ).toEqual({
      kind: 'event',
      event: {
        type: 'purchase',
        itemId: 'i1',
        userId: 'u1',
        sessionId: 's',
        at: Date.parse('2026-01-01T00:00:00Z'),
      },
    });
  });

  it('when exposure or assignment lines arrive, then they are skipped; unknown kinds and bad times fail with the line number', () => {
    expect(decodeExportLine({ kind: 'exposure' }, 1)).toBeNull();
    expect(decodeExportLine({ kind: 'assignment' }, 1)).toBeNull();
    expect(() => decodeExportLine({ kind: 'weird' }, 7)).toThrow(/^line 7: unknown line kind "weird"/);
    expect(() =>
      decodeExportLine({ kind: 'outcome', type: 'view', item_id: 'a', occurred_at: 'yesterday' }, 3),
    ).toThrow(/^line 3: invalid occurred_at/);
  });

  it('when a catalog upsert arrives, then tags are lower-cased and availability defaults to true', () => {
    expect(
      decodeExportLine(
        {
          kind: 'catalog.upsert',
          item: { item_id: 'a', tags: ['Red'], price: 3 },
          occurred_at: '2026-01-01T00:00:00Z',
        },
        1,
      ),
    ).toEqual({
      kind: 'catalog',
      at: Date.parse('2026-01-01T00:00:00Z'),
      item: { itemId: 'a', tags: ['red'], available: true, price: 3 },
    });
  });
});

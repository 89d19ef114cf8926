import { ExportLine, ExportQuery, IngestEvent, OutcomeInput } from './index.js';

describe('IngestEvent', () => {
  it('when each kind of the agreed wire shape is parsed, then it is accepted as is', () => {
    const events = [
      {
        kind: 'outcome',
        event_id: 'e1',
        tenant_id: 'acme',
        type: 'add_to_cart',
        item_id: 'i1',
        user_id: 'u1',
        request_id: 'r1',
        surface: 'home',
        value: 9.5,
        quantity: 1,
        occurred_at: '2026-11-23T10:00:00.000000Z',
      },
      {
        kind: 'outcome',
        event_id: 'e2',
        tenant_id: 'acme',
        type: 'custom_signal',
        item_id: 'i1',
        occurred_at: '2026-11-23T10:00:00Z',
      },
      {
        kind: 'assignment',
        event_id: 'e3',
        tenant_id: 'acme',
        experiment_id: 'x',
        variant: 'B',
        occurred_at: '2026-11-23T10:00:00Z',
      },
      {
        kind: 'catalog.upsert',
        event_id: 'e4',
        tenant_id: 'acme',
        item: {
          item_id: 'i1',
          title: 'Mug',
          tags: ['k'],
          price: 3,
          available: true,
          created_at: '2026-11-01T00:00:00Z',
        },
        occurred_at: '2026-11-23T10:00:00Z',
      },
      {
        kind: 'catalog.delete',
        event_id: 'e5',
        tenant_id: 'acme',
        item_id: 'i1',
        occurred_at: '2026-11-23T10:00:00Z',
      },
    ];
    for (const event of events) expect(IngestEvent.parse(event)).toEqual(event);
    expect(IngestEvent.safeParse({ ...events[0], kind: 'rating' }).success).toBe(false);
  });

  it('when an exposure export line is parsed, then it is the ExposureEvent shape plus kind and cursor', () => {
    const line = {
      kind: 'exposure',
      cursor: 'abc',
      v: 1,
      event_id: 'r1:recommend',
      request_id: 'r1',
      tenant_id: 'acme',
      surface: 'home',
      segment: 'default',
      endpoint: 'recommend',
      occurred_at: '2026-11-23T10:00:00.000000Z',
      items: [{ item_id: 'i1', rank: 1, score: 0.5 }],
      algo_version: 'v1',
    };
    expect(ExportLine.parse(line)).toEqual(line);
  });

  it('when client input has unknown fields or the export names unknown types, then it is refused', () => {
    expect(
      OutcomeInput.safeParse({ type: 'click', item_id: 'i', occurred_at: '2026-11-23T10:00:00Z', colour: 1 })
        .success,
    ).toBe(false);
    expect(
      ExportQuery.parse({
        from: '2026-11-23T00:00:00Z',
        to: '2026-11-24T00:00:00Z',
        types: 'catalog,outcome',
      }).types,
    ).toEqual(['catalog.upsert', 'catalog.delete', 'outcome']);
    expect(
      ExportQuery.safeParse({ from: '2026-11-23T00:00:00Z', to: '2026-11-24T00:00:00Z', types: 'clicks' })
        .success,
    ).toBe(false);
  });
});

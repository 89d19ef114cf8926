import { setImmediate as nextTurn } from 'node:timers/promises';
import { TurnBatches } from './turn-batches.js';

describe('TurnBatches', () => {
  it('when items are added in one turn, then each key’s items are flushed together after it, in order', async () => {
    const flushed: Array<[string, number[]]> = [];
    const batches = new TurnBatches<number>((key, items) => flushed.push([key, items]));
    batches.add('a', 1);
    batches.add('b', 2);
    batches.add('a', 3);
    expect(flushed).toEqual([]);
    await nextTurn();
    expect(flushed).toEqual([
      ['a', [1, 3]],
      ['b', [2]],
    ]);
    batches.add('a', 4);
    await nextTurn();
    expect(flushed[2]).toEqual(['a', [4]]);
  });

  it('when a group is full, then the turn’s further items for that key go into a new group', async () => {
    const flushed: number[][] = [];
    const batches = new TurnBatches<number>((_key, items) => flushed.push(items), 2);
    for (let i = 1; i <= 5; i++) batches.add('k', i);
    await nextTurn();
    expect(flushed).toEqual([[1, 2], [3, 4], [5]]);
  });
});

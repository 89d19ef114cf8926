import { Backpressure, OverloadedError } from './backpressure.js';

describe('Backpressure', () => {
  it('when disabled (max 0), then every request is admitted', async () => {
    const bp = new Backpressure(0, 0, 0);
    await Promise.all([bp.acquire(), bp.acquire(), bp.acquire()]);
    expect(bp.enabled).toBe(false);
  });

  it('when full with no queue and no wait, then the next request is refused at once; a release frees the slot', async () => {
    const bp = new Backpressure(1, 0, 0);
    const release = await bp.acquire();
    await expect(bp.acquire()).rejects.toBeInstanceOf(OverloadedError);
    release();
    release(); // idempotent
    expect(bp.inFlight).toBe(0);
    (await bp.acquire())();
  });

  it('when a queue slot is free, then the request waits for the in-flight slot; queue full or timeout → refused', async () => {
    const bp = new Backpressure(1, 1, 1000);
    const first = await bp.acquire();
    const waiting = bp.acquire();
    await expect(bp.acquire()).rejects.toBeInstanceOf(OverloadedError);
    first();
    const second = await waiting;
    expect(bp.inFlight).toBe(1);
    second();
    const short = new Backpressure(1, 1, 20);
    const held = await short.acquire();
    await expect(short.acquire()).rejects.toBeInstanceOf(OverloadedError);
    held();
  });
});

import type { ControlEvent } from '@recsys/contracts-admin';
import type { Logger } from '@recsys/platform/logger';
import type { StreamProducer } from '@recsys/platform/streams';

type Distribute<T> = T extends unknown ? Omit<T, 'at'> : never;
export type ControlEventInput = Distribute<ControlEvent>;

/**
 * Publishes control events after the write they describe has committed. A publish failure is logged and
 * counted, never turned into a failed write: consumers also refresh on their cache TTL.
 */
export class ControlPublisher {
  constructor(
    private readonly producer: StreamProducer,
    private readonly logger: Logger,
    private readonly onFailure: (type: string) => void = () => undefined,
  ) {}

  async publish(input: ControlEventInput): Promise<void> {
    const event = { ...input, at: new Date().toISOString() } as ControlEvent;
    try {
      await this.producer.publish(event.type, event);
    } catch (error) {
      this.onFailure(event.type);
      this.logger.error(
        { err: error, type: event.type, tenant_id: event.tenant_id },
        'control event not published',
      );
    }
  }
}

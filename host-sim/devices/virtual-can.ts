/**
 * A CAN network in memory: every frame sent by one attached bus is delivered to
 * every other attached bus that accepts it. Platform-free (no Node APIs), so it
 * runs in the host simulator, in XS and in the Moddable simulator.
 */
import { canFilterAccepts, canFrameProblem, emptyCanErrors, type CanBus, type CanErrorCounters, type CanFilter, type CanFrame } from "../../hal/can";

export class VirtualCanNetwork {
  private readonly nodes: VirtualCanBus[] = [];
  /** When false, frames are lost (a cut cable); senders still see success, like a bus without ACK checks. */
  connected = true;
  /** Frames carried. */
  delivered = 0;

  attach(options: { rxCapacity?: number; name?: string } = {}): VirtualCanBus {
    const bus = new VirtualCanBus(this, options.rxCapacity ?? 64, options.name ?? `node${this.nodes.length}`);
    this.nodes.push(bus);
    return bus;
  }

  /** @internal */
  transmit(from: VirtualCanBus, frame: CanFrame): void {
    if (!this.connected) return;
    for (const node of this.nodes) {
      if (node === from || node.isClosed()) continue;
      node.deliver({ id: frame.id, extended: frame.extended, data: frame.data.slice(), remote: frame.remote });
      this.delivered++;
    }
  }
}

export class VirtualCanBus implements CanBus {
  private readonly queue: CanFrame[] = [];
  private filters: readonly CanFilter[] = [];
  private readonly counters: CanErrorCounters = emptyCanErrors();
  private closed = false;
  /** Frames this node sent, for tests to inspect. */
  readonly sent: CanFrame[] = [];

  constructor(private readonly network: VirtualCanNetwork, private readonly rxCapacity: number, readonly name: string) {}

  send(frame: CanFrame): boolean {
    if (this.closed || this.counters.busOff) return false;
    if (canFrameProblem(frame)) {
      this.counters.badFrames++;
      return false;
    }
    this.sent.push(frame);
    if (this.sent.length > 1000) this.sent.splice(0, this.sent.length - 1000);
    this.network.transmit(this, frame);
    return true;
  }

  receive(): CanFrame | undefined {
    return this.queue.shift();
  }

  setFilters(filters: readonly CanFilter[]): void {
    this.filters = filters.slice();
  }

  errors(): CanErrorCounters {
    return { ...this.counters };
  }

  recoverBusOff(): void {
    this.counters.busOff = false;
    this.counters.txErrors = 0;
  }

  close(): void {
    this.closed = true;
    this.queue.length = 0;
  }

  isClosed(): boolean {
    return this.closed;
  }

  /** @internal */
  deliver(frame: CanFrame): void {
    if (!canFilterAccepts(this.filters, frame)) return;
    if (this.queue.length >= this.rxCapacity) {
      this.counters.rxOverflows++;
      return;
    }
    this.queue.push(frame);
  }
}

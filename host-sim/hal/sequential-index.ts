/**
 * Position of an id in a fixed list, predicted from the order of the previous lookups.
 *
 * The controller reads every sensor, EV link, module and aux contact in the same order on
 * every 10 ms tick, so the position asked for next is almost always the one that followed
 * the last position served the time before. Each position remembers its follower from the
 * last time round (at first: the next position in the list, wrapping to 0); a lookup whose
 * id is the predicted one (`===`, the same string or number) costs one array load and one
 * compare instead of a Map lookup. Anything else falls back to the Map and teaches the
 * table the new follower, so results are the same for every access order.
 */
/** Stands in for a position that must never be predicted (see the constructor). */
const NEVER_AN_ID: unique symbol = Symbol("never an id");

export class SequentialIndex<K> {
  private readonly positionById: ReadonlyMap<K, number>;
  /** ids[p], or NEVER_AN_ID where the Map sends that id to another position (a duplicate). */
  private readonly idAt: (K | typeof NEVER_AN_ID)[];
  /** follower[p]: the position served right after p the last time p was served. */
  private readonly follower: Int32Array;
  /** The position served last (-1 before the first lookup, or after an unknown id). */
  private last = -1;

  /**
   * `positionById` is the authoritative lookup (the plant's own index, say); without one, the
   * first position of each id. A prediction can only ever return what the Map would.
   */
  constructor(ids: readonly K[], positionById?: ReadonlyMap<K, number>) {
    const n = ids.length;
    if (positionById === undefined) {
      const firstPosition = new Map<K, number>();
      for (let i = n - 1; i >= 0; i--) firstPosition.set(ids[i], i);
      positionById = firstPosition;
    }
    this.positionById = positionById;
    this.idAt = ids.map((id, i) => (positionById.get(id) === i ? id : NEVER_AN_ID));
    this.follower = new Int32Array(n);
    for (let i = 0; i < n; i++) this.follower[i] = i + 1 < n ? i + 1 : 0;
  }

  /** Position of `id` in `ids`, or -1 if it is not there. */
  indexOf(id: K): number {
    const last = this.last;
    if (last >= 0) {
      const predicted = this.follower[last];
      if (this.idAt[predicted] === id) {
        this.last = predicted;
        return predicted;
      }
    } else if (this.idAt.length > 0 && this.idAt[0] === id) {
      this.last = 0;
      return 0;
    }
    return this.miss(id, last);
  }

  private miss(id: K, last: number): number {
    const position = this.positionById.get(id);
    if (position === undefined) {
      this.last = -1;
      return -1;
    }
    if (last >= 0) this.follower[last] = position;
    this.last = position;
    return position;
  }
}

/**
 * Where each id of a caller's list sits in a fixed list, resolved once per list.
 *
 * Batch reads (`Sensors.readGuns`, `ContactorBank.readAux`, ...) get the caller's own id
 * list and fill results by the caller's positions. The controller passes the same array,
 * never changed, on every tick, so the positions are looked up once (Map) and then served
 * as a typed array; another array (or one of another length) is resolved afresh.
 */
export class ResolvedIds<K> {
  private resolvedFor: readonly K[] | null = null;
  private positions = new Int32Array(0);

  /** `positionById`: the authoritative lookup (the same one the per-id reads use). */
  constructor(private readonly positionById: ReadonlyMap<K, number>) {}

  /** positions[k] = position of ids[k] (-1: not in the list). Read-only for the caller. */
  of(ids: readonly K[]): Int32Array {
    if (ids !== this.resolvedFor || ids.length !== this.positions.length) {
      const positions = new Int32Array(ids.length);
      for (let k = 0; k < ids.length; k++) positions[k] = this.positionById.get(ids[k]) ?? -1;
      this.positions = positions;
      this.resolvedFor = ids;
    }
    return this.positions;
  }
}

/** The first position of each id in `ids` (what a list search would find). */
export function firstPositions<K>(ids: readonly K[]): Map<K, number> {
  const map = new Map<K, number>();
  for (let i = ids.length - 1; i >= 0; i--) map.set(ids[i], i);
  return map;
}

/**
 * Position of a small non-negative integer id (gun or slot number) in a list, by a
 * table indexed by the id: the host HAL looks guns and slots up thousands of times
 * per simulated second, and a Map lookup was a measurable part of that. Ids that are
 * not small integers fall back to the Map. -1: no such id.
 */
export class DenseIndex {
  private readonly table: Int32Array;
  private readonly byId = new Map<number, number>();

  constructor(ids: readonly number[]) {
    let max = -1;
    ids.forEach((id, i) => {
      this.byId.set(id, i);
      if (Number.isInteger(id) && id >= 0 && id > max) max = id;
    });
    // A table up to 4096 entries; beyond that (odd configs) the Map alone answers.
    this.table = new Int32Array(max < 4096 ? max + 1 : 0).fill(-1);
    // Last position per id, as a Map filled in order keeps it.
    for (const [id, i] of this.byId) if (Number.isInteger(id) && id >= 0 && id < this.table.length) this.table[id] = i;
  }

  get(id: number): number {
    if (id >= 0 && id < this.table.length && (id | 0) === id) return this.table[id];
    return this.byId.get(id) ?? -1;
  }
}

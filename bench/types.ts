/** A benchmark module in bench/*.bench.ts default-exports a BenchSuite. */
export interface BenchTable {
  title: string;
  columns: string[];
  rows: (string | number)[][];
}

export interface BenchReport {
  /** Human tables, printed in order. */
  tables: BenchTable[];
  /** Machine-readable figures; merged into the --json object under the suite's name. */
  figures: Record<string, unknown>;
}

export interface BenchSuite {
  name: string;
  run(options: { quick: boolean }): Promise<BenchReport>;
}

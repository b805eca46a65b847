/** Persistent key-value storage: preferences on device, a file or memory on the host. */
export interface Storage {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
  delete(key: string): void;
  keys(prefix?: string): string[];
}

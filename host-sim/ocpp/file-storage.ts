/** Host Storage backed by one JSON file (written through on every change), or memory when no path. */
import * as fs from "fs";
import type { Storage } from "../../hal/storage";

export class JsonFileStorage implements Storage {
  private readonly data: Record<string, string>;
  constructor(private readonly file: string | null) {
    this.data = {};
    if (file && fs.existsSync(file)) {
      try { Object.assign(this.data, JSON.parse(fs.readFileSync(file, "utf8"))); } catch { /* start empty on a corrupt file */ }
    }
  }
  get(key: string) { return this.data[key]; }
  set(key: string, value: string) { this.data[key] = value; this.flush(); }
  delete(key: string) { delete this.data[key]; this.flush(); }
  keys(prefix = "") { return Object.keys(this.data).filter((k) => k.startsWith(prefix)); }
  private flush() {
    if (!this.file) return;
    const tmp = `${this.file}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(this.data));
    fs.renameSync(tmp, this.file);
  }
}

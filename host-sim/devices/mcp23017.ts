/**
 * Register-level model of the Microchip MCP23017 16-bit I2C I/O expander
 * (DS20001952), IOCON.BANK = 0 register map. Platform-free.
 *
 * Modelled: address pointer with sequential auto-increment (and BANK=0 A/B
 * toggling when SEQOP is set... not modelled: SEQOP=1 byte mode), IODIR (reset
 * 0xFF: every pin an input), IPOL, GPINTEN/DEFVAL/INTCON interrupt-on-change with
 * INTF/INTCAP, GPPU, GPIO reads (pin levels, IPOL applied), GPIO/OLAT writes
 * (OLAT drives output pins), reading GPIO or INTCAP clears the interrupt, the
 * INTA/INTB pins (MIRROR, ODR and INTPOL ignored: active low), power-on reset.
 */

const REG = { IODIRA: 0x00, IPOLA: 0x02, GPINTENA: 0x04, DEFVALA: 0x06, INTCONA: 0x08, IOCON: 0x0a, GPPUA: 0x0c, INTFA: 0x0e, INTCAPA: 0x10, GPIOA: 0x12, OLATA: 0x14 } as const;

export class Mcp23017Model {
  readonly address: number;
  readonly regs = new Uint8Array(0x16);
  /** Levels driven onto input pins from outside (bit per pin, 0-15: A0..A7, B0..B7). */
  externalInputs = 0;
  private pointer = 0;
  /** Device stops answering (unplugged, dead): every access NACKs. */
  dead = false;
  writes = 0;

  constructor(address: number) {
    this.address = address;
    this.powerOnReset();
  }

  powerOnReset(): void {
    this.regs.fill(0);
    this.regs[REG.IODIRA] = 0xff;
    this.regs[REG.IODIRA + 1] = 0xff;
    this.pointer = 0;
  }

  /** Level of each pin as seen on the wire: outputs from OLAT, inputs from outside (pull-ups: 1 when floating). */
  pinLevels(): number {
    const dir = this.word(REG.IODIRA);
    return (this.word(REG.OLATA) & ~dir & 0xffff) | (this.externalInputs & dir);
  }

  /** Output pins driven high (bit per pin); input pins read 0 here. */
  outputs(): number {
    return this.word(REG.OLATA) & ~this.word(REG.IODIRA) & 0xffff;
  }

  intA(): boolean {
    return this.regs[REG.INTFA] !== 0;
  }

  /** Call after changing `externalInputs`: latches interrupt-on-change. */
  update(previousInputs: number): void {
    const en = this.word(REG.GPINTENA);
    const con = this.word(REG.INTCONA);
    const def = this.word(REG.DEFVALA);
    const now = this.externalInputs;
    for (let bit = 0; bit < 16; bit++) {
      const m = 1 << bit;
      if (!(en & m) || this.word(REG.INTFA) & m) continue;
      const fire = con & m ? (now & m) !== (def & m) : (now & m) !== (previousInputs & m);
      if (fire) {
        this.setWord(REG.INTFA, this.word(REG.INTFA) | m);
        this.setWord(REG.INTCAPA, this.gpio());
      }
    }
  }

  i2cWrite(address: number, data: Uint8Array): boolean {
    if (address !== this.address || this.dead) return false;
    if (data.length === 0) return true;
    this.pointer = data[0] % 0x16;
    for (let i = 1; i < data.length; i++) {
      this.writeReg(this.pointer, data[i]);
      this.pointer = (this.pointer + 1) % 0x16;
    }
    this.writes++;
    return true;
  }

  i2cRead(address: number, count: number): Uint8Array | null {
    if (address !== this.address || this.dead) return null;
    const out = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      out[i] = this.readReg(this.pointer);
      this.pointer = (this.pointer + 1) % 0x16;
    }
    return out;
  }

  private gpio(): number {
    return (this.pinLevels() ^ this.word(REG.IPOLA)) & 0xffff;
  }

  private readReg(a: number): number {
    if (a === REG.GPIOA || a === REG.GPIOA + 1) {
      const port = a - REG.GPIOA;
      this.regs[REG.INTFA + port] = 0; // reading GPIO clears the interrupt
      return (this.gpio() >> (8 * port)) & 0xff;
    }
    if (a === REG.INTCAPA || a === REG.INTCAPA + 1) {
      this.regs[REG.INTFA + (a - REG.INTCAPA)] = 0;
    }
    return this.regs[a];
  }

  private writeReg(a: number, v: number): void {
    if (a === REG.INTFA || a === REG.INTFA + 1 || a === REG.INTCAPA || a === REG.INTCAPA + 1) return; // read-only
    if (a === REG.GPIOA || a === REG.GPIOA + 1) a = REG.OLATA + (a - REG.GPIOA); // GPIO writes go to the latch
    if (a === REG.IOCON || a === REG.IOCON + 1) {
      this.regs[REG.IOCON] = this.regs[REG.IOCON + 1] = v & 0xfe;
      return;
    }
    this.regs[a] = v;
  }

  private word(a: number): number {
    return this.regs[a] | (this.regs[a + 1] << 8);
  }

  private setWord(a: number, v: number): void {
    this.regs[a] = v & 0xff;
    this.regs[a + 1] = (v >> 8) & 0xff;
  }
}

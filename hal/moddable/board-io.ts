/**
 * Builds the device HAL pieces from a validated board description, with the real
 * ECMA-419 classes. The only module here that imports `embedded:io/*` and
 * `preference`: every driver takes its IO class through options, so tests pass
 * fakes instead.
 */
import Digital from "embedded:io/digital";
import DigitalBank from "embedded:io/digitalbank";
import I2C from "embedded:io/i2c";
import Serial from "embedded:io/serial";
import SPI from "embedded:io/spi";
import Preference from "preference";
import type { BoardConfig, InputDeviceConfig, OutputDeviceConfig } from "../board";
import type { CanBus } from "../can";
import type { Clock } from "../clock";
import type { CabinetIndex } from "../../src/config/cabinet-index";
import type { AuxInputs, CoilOutputs } from "./bit-ports";
import { IoContactorBank } from "./contactor-bank";
import type { DigitalBankIo, DigitalIo, I2cIo, SerialIo, SpiIo } from "./io-types";
import { Mcp2515 } from "./mcp2515";
import { Mcp23017Inputs, Mcp23017Outputs } from "./mcp23017";
import { BankOutputs, PinInputs, PinOutputs } from "./pins";
import { PreferenceStorage } from "./preference-storage";
import { Hc165Inputs, Hc595Outputs } from "./shift-chain";
import { Slcan } from "./slcan";

const io = {
  digital: Digital satisfies DigitalIo,
  digitalBank: DigitalBank satisfies DigitalBankIo,
  i2c: I2C satisfies I2cIo,
  spi: SPI satisfies SpiIo,
  serial: Serial satisfies SerialIo,
};

function openOutput(board: BoardConfig, d: OutputDeviceConfig): CoilOutputs {
  switch (d.kind) {
    case "pins":
      return new PinOutputs({ io: io.digital, pins: d.pins, activeLow: d.activeLow });
    case "digitalbank":
      return new BankOutputs({ io: io.digitalBank, pins: d.pins, bank: d.bank });
    case "mcp23017":
      return new Mcp23017Outputs({ i2c: { io: io.i2c, ...board.i2c! }, address: d.address });
    case "hc595":
      return new Hc595Outputs({ spi: { io: io.spi, ...board.spi!, hz: d.hz ?? board.spi!.hz, select: d.select }, chips: d.chips, outputEnable: { io: io.digital, pin: d.outputEnable } });
  }
}

function openInput(board: BoardConfig, d: InputDeviceConfig): AuxInputs {
  switch (d.kind) {
    case "pins":
      return new PinInputs({ io: io.digital, pins: d.pins, activeLow: d.activeLow });
    case "mcp23017":
      return new Mcp23017Inputs({ i2c: { io: io.i2c, ...board.i2c! }, address: d.address, activeLow: d.activeLow });
    case "hc165":
      return new Hc165Inputs({ spi: { io: io.spi, ...board.spi!, hz: d.hz ?? board.spi!.hz, select: d.select }, chips: d.chips, load: { io: io.digital, pin: d.load }, activeLow: d.activeLow });
  }
}

/** The contactor bank of a board. Outputs are opened first, so every coil is off before anything else. */
export function openContactors(board: BoardConfig, cabinet: CabinetIndex, clock: Clock, onError: (message: string) => void): IoContactorBank {
  const outputs = board.outputs.map((d) => openOutput(board, d));
  const inputs = board.inputs.map((d) => openInput(board, d));
  return new IoContactorBank({
    contactors: board.contactors.map((c) => ({ ...c, normallyClosed: cabinet.contactorById.get(c.id)?.normallyClosed ?? false })),
    outputs,
    inputs,
    clock,
    onError,
  });
}

export function openCan(board: BoardConfig, onError: (message: string) => void): CanBus {
  const c = board.can;
  if (c.transport === "mcp2515") {
    return new Mcp2515({
      spi: { io: io.spi, ...board.spi!, hz: c.hz ?? board.spi!.hz, select: c.select },
      interrupt: c.interrupt !== undefined ? { io: io.digital, pin: c.interrupt } : undefined,
      oscillatorHz: c.oscillatorHz,
      bitrate: c.bitrate,
      onError,
    });
  }
  return new Slcan({ serial: { io: io.serial, port: c.port, receive: c.receive, transmit: c.transmit, baud: c.baud }, bitrate: c.bitrate, onError });
}

export function openStorage(board: BoardConfig): PreferenceStorage {
  return new PreferenceStorage({ domain: board.storageDomain ?? "cabinet", preference: Preference });
}

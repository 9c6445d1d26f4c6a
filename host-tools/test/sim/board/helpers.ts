import { VirtualBoard, VirtualBoardOptions } from '../../../src/sim/board';
import { FakeHardware } from './fake-hardware';

/** A Pico with `code` as .bootcde, powered on, console output collected. */
export function makeBoard(code: string, opts: Partial<VirtualBoardOptions> = {}) {
  const hw = (opts.hardware as FakeHardware | undefined) ?? new FakeHardware();
  const board = new VirtualBoard({ profile: 'PICO', ...opts, hardware: hw });
  if (code) board.storage.writeFile('.bootcde', code);
  const out: number[] = [];
  board.console.on('data', (b) => { for (const x of b) out.push(x); });
  board.powerOn();
  return {
    board, hw, out,
    text: () => Buffer.from(out).toString('latin1'),
    clear: () => { out.length = 0; },
    g: () => board.global as Record<string, any>, // eslint-disable-line @typescript-eslint/no-explicit-any
  };
}

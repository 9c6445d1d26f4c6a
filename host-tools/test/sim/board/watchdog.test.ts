import { makeBoard } from './helpers';

describe('watchdog', () => {
  test('a watchdog that is not kicked resets the board, which boots again from Storage', () => {
    const { board, hw } = makeBoard('var boots = 1; E.enableWatchdog(0.5, false);');
    board.runFor(0.4);
    expect(board.resets.map((r) => r.reason)).toEqual(['power-on']);
    board.runFor(0.2);
    expect(board.resets.map((r) => r.reason)).toEqual(['power-on', 'watchdog']);
    expect(board.resets[1]!.time).toBeCloseTo(0.5, 9);
    expect(hw.resets).toEqual([0.5]);
    // fresh context: state from before the reset is gone, the boot code ran again
    expect(board.evaluate('boots')).toBe(1);
    board.runFor(1.05);
    expect(board.resets.filter((r) => r.reason === 'watchdog')).toHaveLength(3);
  });

  test('kicking in time keeps it quiet; isAuto never fires', () => {
    const kicked = makeBoard('E.enableWatchdog(0.5, false); setInterval(function () { E.kickWatchdog(); }, 400);');
    kicked.board.runFor(5);
    expect(kicked.board.resets.map((r) => r.reason)).toEqual(['power-on']);
    const auto = makeBoard('E.enableWatchdog(0.5);');
    auto.board.runFor(5);
    expect(auto.board.resets.map((r) => r.reason)).toEqual(['power-on']);
  });

  test('E.reboot(), reset() and load()', () => {
    const { board } = makeBoard('var n = (typeof n === "number" ? n : 0) + 1; var killed = 0; E.on("kill", function () { print("kill"); });');
    board.evaluate('E.reboot()');
    expect(board.resets.map((r) => r.reason)).toEqual(['power-on', 'reboot']);
    board.evaluate('reset()');
    expect(board.resets.at(-1)!.reason).toBe('soft-reset');
    expect(board.evaluate('typeof n')).toBe('undefined');
    board.evaluate('load()');
    expect(board.evaluate('n')).toBe(1);
  });
});

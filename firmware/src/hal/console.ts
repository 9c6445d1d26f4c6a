// Writing to the console device (USB on a Pico), whatever the console is on this board.
export function consoleWrite(data: string): void {
  const name = E.getConsole() || 'USB';
  const dev = global[name];
  if (dev && dev.write) dev.write(data);
}

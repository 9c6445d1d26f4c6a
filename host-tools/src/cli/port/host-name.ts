// The name this CLI sends in hello (shown in the pen's logs, bounded to 40 printable chars).
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const HOST_NAME = `stipple-cli ${(require('../../../package.json') as { version: string }).version}`;

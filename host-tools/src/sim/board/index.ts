// The virtual Espruino board (see docs/simulator.md, "Virtual board").
export { VirtualBoard } from './virtual-board';
export type { VirtualBoardOptions, ResetRecord, ResetReason, UncaughtErrorRecord, PinInfo } from './virtual-board';
export { BOARD_PROFILES, resolveProfile } from './board-profiles';
export type { BoardId, BoardProfile } from './board-profiles';
export { FlashStorage, PowerLossError, StorageError } from './flash-storage';
export type { StorageStats } from './flash-storage';
export { ConsoleLink } from './uart-link';
export type { LinkFaults, LinkStats } from './uart-link';
export { ACK, NAK, DLE, SOH, PT } from './console-port';
export { crc32 } from './crc32';
export type { HardwareModel, InputEdge, PinDrive } from './hardware-model';

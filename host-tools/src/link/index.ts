// Host side of the pen link: transports and the typed client.
export type { ByteTransport } from './transport';
export { realClock } from './clock';
export type { ClockTimer, HostClock } from './clock';
export { PenError } from './errors';
export type { LinkFailure } from './errors';
export { PenClient } from './pen-client';
export type { PenClientOptions, PenEvent, RequestOptions, UploadOptions } from './pen-client';
// SerialTransport lives in './serial-transport' (imports the native serialport binding).

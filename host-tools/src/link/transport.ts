// The byte link between the host and a pen: a serial port, the virtual board, a loopback.

export interface ByteTransport {
  /** Send bytes to the pen's console. */
  write(data: Uint8Array): void;
  /** Register the receiver of bytes from the pen's console (one receiver). */
  onData(cb: (d: Uint8Array) => void): void;
  close(): Promise<void>;
}

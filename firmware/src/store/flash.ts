// What the record store needs from flash. The hardware layer maps it onto
// Espruino's Storage; tests map it onto a plain object.
export interface Flash {
  read(name: string): string | undefined;
  write(name: string, data: string): boolean;
  erase(name: string): void;
}

export type Crc32 = (data: string) => number;

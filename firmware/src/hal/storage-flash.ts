// The record store's Flash on Espruino's Storage (journaling flash file system).
import { Flash } from '../store/flash';

export function storageFlash(): Flash {
  const storage = require('Storage');
  return {
    read(name) {
      return storage.read(name);
    },
    write(name, data) {
      return storage.write(name, data);
    },
    erase(name) {
      storage.erase(name);
    },
  };
}

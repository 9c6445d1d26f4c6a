// The record store's Flash on Espruino's Storage (journaling flash file system): the
// module itself, whose read/write/erase are what Flash asks for (a wrapper object would
// only add functions to the pen's RAM).
import { Flash } from '../store/flash';

export function storageFlash(): Flash {
  return require('Storage') as Flash;
}

// The pen's factory identity: drive variant, serial number and technician secret,
// written once at manufacture into the `hw` Storage file.
import { DriveVariant } from './pen-io';
import { Flash } from '../store/flash';

export interface Identity {
  variant: DriveVariant;
  serial: string;
  /** per-device technician secret for SERVICE challenge-response (hex) */
  secret: string;
}

export function readIdentity(flash: Flash): Identity {
  let hw: any;
  try {
    hw = JSON.parse(flash.read('hw') || '{}');
  } catch (e) {
    hw = {};
  }
  return {
    variant: hw.variant === 'stepper' ? 'stepper' : 'voiceCoil',
    serial: typeof hw.serial === 'string' ? hw.serial : 'UNSET',
    secret: typeof hw.secret === 'string' ? hw.secret : '',
  };
}

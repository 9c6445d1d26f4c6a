// The host link: console packets (E.on('packet')) go to the protocol dispatcher, and the
// pen's state changes, faults, warnings and telemetry go out as events. The only place
// the protocol meets Espruino's globals.
import { Pen } from '../app/pen';
import { Identity } from '../app/identity';
import { ProtocolApi, clipText } from '../app/protocol-api';
import { Dispatcher } from '../proto/dispatcher';
import { STATE_NAMES, WARN_NAMES } from '@stipple/protocol/limits';

/** ms to let the reply drain before a reboot resets the board. */
const REBOOT_DRAIN_MS = 50;

export function attachLink(pen: Pen, identity: Identity): Dispatcher {
  const api = new ProtocolApi(pen, identity, {
    fw: __STIPPLE_FW_VERSION__,
    reset: function () {
      setTimeout(function () {
        // a hard reset where the board has one, else reload from Storage
        if (E.reboot) E.reboot();
        else load();
      }, REBOOT_DRAIN_MS);
    },
  });
  const proto = new Dispatcher({
    api: api,
    // the pen's console (the bench build times these writes: docs/control.md, Budgets)
    write: pen.io.send,
    crc32: E.CRC32,
    fp: __STIPPLE_SCHEMA_FP__,
    bench: __STIPPLE_PROFILE__ === 'bench',
    now: function () {
      return getTime() * 1000;
    },
    random: function () {
      return E.hwRand();
    },
  });
  E.on('packet', function (p: any) {
    proto.handleFrame(p);
  });
  let prev = pen.supervisor.penState;
  let prevWarn = 0;
  pen.handlers = {
    state: function (state, fault) {
      const body: any = { state: STATE_NAMES[state], prev: STATE_NAMES[prev], t: Math.round(getTime() * 1000) };
      if (fault) body.why = 'fault ' + fault;
      prev = state;
      proto.event('state', body);
    },
    fault: function (code, t, context) {
      proto.event('fault', { code: code, t: Math.round(t * 1000), ctx: clipText(context) });
    },
    warn: function (w) {
      const raised = w & ~prevWarn;
      prevWarn = w;
      for (let b = 0; b < WARN_NAMES.length; b++) {
        if (raised & (1 << b)) proto.event('warn', { code: WARN_NAMES[b], t: Math.round(getTime() * 1000) });
      }
    },
    telemetry: proto.telemetry.bind(proto),
  };
  return proto;
}

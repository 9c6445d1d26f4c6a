// Hand-written request-body validators for the pen. They must accept and reject exactly
// what the zod schemas in protocol/src/schemas.ts do, with the same error code
// (BAD_FIELD for structure/type/unknown key/enum/format, OUT_OF_RANGE for limits, a
// structural error winning over a range error, as protocol/src/envelope.ts codeForIssues
// maps zod issues). Checked by golden vectors, a property test and a fuzz test.
// Cheap by design: a few statements per field; the validators exist only while a body is
// checked (validate), and an empty body skips them.
import {
  CAL_ABS_MAX, CAL_TABLE_MAX, CAPTURE_CHANNELS, CAPTURE_MAX, CAPTURE_MIN, DEPTH_MAX_MM, DEPTH_MIN_MM, DEPTH_STEP_MM,
  DIA_MAX_MM, DIA_MIN_MM, DIA_STEP_MM, DWELL_MAX_MS, DWELL_MIN_MS, FP_HEX, HEX_RE, MAC_HEX, MAX_PRESETS,
  AUTO_OFF_MAX_MIN, AUTO_OFF_MIN_MIN, MAX_RUN_MAX_MIN, MAX_RUN_MIN_MIN, NAME_MAX, NEEDLES, PEDAL_MODES,
  PRINTABLE_RE, RATE_MAX, RATE_MIN, RUN_MAX_S, SWEEP_MAX, TEXT_MAX, TLM_EVERY_MAX, TLM_EVERY_MIN, TLM_FIELDS,
  onGrid,
} from '@stipple/protocol/limits';

/** Requests whose body has fields: every other one takes an empty body, checked without the validators. */
const WITH_FIELDS = '|hello|setConfig|setPreset|deletePreset|setLimit|svcEnter|runStart|hold|sweep|capture|calWrite|tlmSub|';

/**
 * Validate the (JSON-parsed) body of request `id`, a known id.
 * Returns '' when valid, else 'BAD_FIELD <field>' or 'OUT_OF_RANGE <field>'.
 */
export function checkBody(id: string, b: any): string {
  // the common case (heartbeats, reads): an empty body where one is due
  if (typeof b === 'object' && b !== null && !Array.isArray(b) && !Object.keys(b).length && WITH_FIELDS.indexOf('|' + id + '|') < 0) return '';
  return validate(id, b);
}

/**
 * The validators, made for one body and dropped after it: a function object of each
 * would sit in the pen's RAM all the time (docs/control.md, Budgets: memory), and a body
 * with fields comes only with a host's request.
 */
function validate(id: string, b: any): string {
  /** '' while valid, else 'CODE field'. A BAD_FIELD replaces an earlier OUT_OF_RANGE. */
  let E = '';
  /** Known keys seen in the object being checked (strict objects: no others allowed). */
  let N = 0;
  /** An array length was out of range: as in zod, the cross-field checks around it are skipped. */
  let A = false;

  function bf(k: string | number): boolean {
    E = 'BAD_FIELD ' + k;
    return false;
  }
  function oor(k: string | number): boolean {
    if (!E) E = 'OUT_OF_RANGE ' + k;
    return true;
  }
  function isObj(x: any): boolean {
    return typeof x === 'object' && x !== null && !Array.isArray(x);
  }
  /** Field k present? Counts it; false (and BAD_FIELD unless optional) when absent. */
  function present(o: any, k: string | number, opt?: boolean): boolean {
    if (o[k] === undefined) {
      if (!opt) bf(k);
      return false;
    }
    N++;
    return true;
  }
  // Each check returns false only on a structural error (stop), true otherwise.
  function int(o: any, k: string | number, min: number, max: number, opt?: boolean): boolean {
    if (!present(o, k, opt)) return !!opt;
    const x = o[k];
    if (typeof x !== 'number' || x % 1 !== 0) return bf(k);
    return (x >= min && x <= max) || oor(k);
  }
  function num(o: any, k: string | number, min: number, max: number, opt?: boolean): boolean {
    if (!present(o, k, opt)) return !!opt;
    const x = o[k];
    if (typeof x !== 'number') return bf(k);
    return (x >= min && x <= max) || oor(k);
  }
  function grid(o: any, k: string, min: number, max: number, step: number, opt?: boolean): boolean {
    if (!num(o, k, min, max, opt)) return false;
    const x = o[k];
    return x === undefined || onGrid(x, step) || oor(k);
  }
  function depth(o: any, k: string, opt?: boolean): boolean {
    return grid(o, k, DEPTH_MIN_MM, DEPTH_MAX_MM, DEPTH_STEP_MM, opt);
  }
  function str(o: any, k: string, min: number, max: number, re: RegExp, opt?: boolean): boolean {
    if (!present(o, k, opt)) return !!opt;
    const x = o[k];
    if (typeof x !== 'string' || !re.test(x)) return bf(k);
    return (x.length >= min && x.length <= max) || oor(k);
  }
  function en(o: any, k: string | number, list: string[], opt?: boolean): boolean {
    if (!present(o, k, opt)) return !!opt;
    const x = o[k];
    return (typeof x === 'string' && list.indexOf(x) >= 0) || bf(k);
  }
  function bool(o: any, k: string, opt?: boolean): boolean {
    if (!present(o, k, opt)) return !!opt;
    return typeof o[k] === 'boolean' || bf(k);
  }
  /** Array field: the length checks and every item must pass item(arr, index). */
  function arr(o: any, k: string, min: number, max: number, item: (a: any[], i: number) => boolean, opt?: boolean): boolean {
    if (!present(o, k, opt)) return !!opt;
    const a = o[k];
    if (!Array.isArray(a)) return bf(k);
    // as zod: too long is reported alone (items unchecked, cross-field checks skipped);
    // too short is checked after the items
    if (a.length > max) { A = true; return oor(k); }
    const saved = N;
    for (let i = 0; i < a.length; i++) {
      if (!item(a, i)) { N = saved; return bf(k); }
    }
    N = saved;
    return a.length >= min || oor(k);
  }
  /** No keys but the known ones. */
  function strict(o: any, k: string): boolean {
    return Object.keys(o).length === N || bf(k);
  }
  /** Nested strict object field checked by fn. */
  function obj(o: any, k: string, fn: (x: any) => boolean, opt?: boolean): boolean {
    if (!present(o, k, opt)) return !!opt;
    const x = o[k];
    if (!isObj(x)) return bf(k);
    const saved = N;
    N = 0;
    const ok = fn(x) && strict(x, k);
    N = saved;
    return ok;
  }

  function duty(a: any, i: number | string): boolean { return num(a, i, 0, 1); }
  function rateItem(a: any, i: number): boolean { return int(a, i, RATE_MIN, RATE_MAX); }
  function posItem(a: any, i: number): boolean { return num(a, i, 0, CAL_ABS_MAX); }
  function coefItem(a: any, i: number): boolean { return num(a, i, -CAL_ABS_MAX, CAL_ABS_MAX); }
  function fieldItem(a: any, i: number): boolean { return en(a, i, TLM_FIELDS); }

  function vPreset(p: any): boolean {
    if (!(str(p, 'name', 1, NAME_MAX, PRINTABLE_RE) && depth(p, 'depth') && int(p, 'rate', RATE_MIN, RATE_MAX) &&
      en(p, 'needle', NEEDLES) && grid(p, 'dia', DIA_MIN_MM, DIA_MAX_MM, DIA_STEP_MM) && depth(p, 'depthMin') &&
      depth(p, 'depthMax') && int(p, 'rateMin', RATE_MIN, RATE_MAX) && int(p, 'rateMax', RATE_MIN, RATE_MAX))) return false;
    if (!(p.depthMin <= p.depth && p.depth <= p.depthMax && p.rateMin <= p.rate && p.rate <= p.rateMax)) oor('preset');
    return true;
  }
  function vHall(h: any): boolean {
    if (!(num(h, 'offset', 0, 1) && num(h, 'mmPerUnit', -CAL_ABS_MAX, CAL_ABS_MAX))) return false;
    return h.mmPerUnit !== 0 || oor('mmPerUnit');
  }
  function vStroke(s: any): boolean {
    if (!(arr(s, 'rates', 1, CAL_TABLE_MAX, rateItem) && arr(s, 'gain', 1, CAL_TABLE_MAX, posItem) &&
      arr(s, 'offset', 1, CAL_TABLE_MAX, coefItem) && num(s, 'push', 0, 1))) return false;
    return A || (s.gain.length === s.rates.length && s.offset.length === s.rates.length) || bf('stroke');
  }
  function vStage(s: any): boolean {
    return num(s, 'stepsPerMm', 0, CAL_ABS_MAX) && num(s, 'depthAtHome', -CAL_ABS_MAX, CAL_ABS_MAX) &&
      int(s, 'stepsPerRev', 1, 100000) && int(s, 'lobes', 1, 16);
  }
  function vActuator(a: any): boolean {
    return num(a, 'r', 0, CAL_ABS_MAX) && num(a, 'kf', 0, CAL_ABS_MAX) && num(a, 'k', 0, CAL_ABS_MAX) &&
      num(a, 'm', 0, CAL_ABS_MAX) && num(a, 'c', 0, CAL_ABS_MAX);
  }
  function vGains(g: any): boolean {
    return num(g, 'kp', -CAL_ABS_MAX, CAL_ABS_MAX) && num(g, 'ki', -CAL_ABS_MAX, CAL_ABS_MAX);
  }
  function vMeta(m: any): boolean {
    return str(m, 'technician', 1, 32, PRINTABLE_RE) && str(m, 'gaugeId', 1, 32, PRINTABLE_RE) &&
      str(m, 'date', 1, 32, PRINTABLE_RE) && str(m, 'firmware', 1, 24, PRINTABLE_RE) && str(m, 'serial', 1, 24, PRINTABLE_RE);
  }
  function vCal(c: any): boolean {
    if (!(obj(c, 'hall', vHall) && obj(c, 'stroke', vStroke, true) && obj(c, 'stage', vStage, true) &&
      obj(c, 'actuator', vActuator, true) && obj(c, 'gains', vGains) && obj(c, 'meta', vMeta))) return false;
    return A || c.stroke !== undefined || c.stage !== undefined || bf('cal');
  }

  /** Fields of each request body; false on a structural error. */
  function fields(id: string, b: any): boolean {
    switch (id) {
      case 'hello':
        return int(b, 'pv', 1, 255) && str(b, 'fp', FP_HEX, FP_HEX, HEX_RE) && str(b, 'host', 0, TEXT_MAX, PRINTABLE_RE, true);
      case 'setConfig':
        if (!(depth(b, 'depth', true) && int(b, 'rate', RATE_MIN, RATE_MAX, true) && en(b, 'pedal', PEDAL_MODES, true) &&
          int(b, 'preset', 0, MAX_PRESETS - 1, true) && int(b, 'autoOffMin', AUTO_OFF_MIN_MIN, AUTO_OFF_MAX_MIN, true) &&
          int(b, 'maxRunMin', MAX_RUN_MIN_MIN, MAX_RUN_MAX_MIN, true) && bool(b, 'idleInAir', true))) return false;
        return strict(b, 'body') && (N > 0 || bf('body'));
      case 'setPreset':
        return int(b, 'index', 0, MAX_PRESETS - 1) && obj(b, 'preset', vPreset);
      case 'deletePreset':
        return int(b, 'index', 0, MAX_PRESETS - 1);
      case 'setLimit':
        return en(b, 'needle', NEEDLES) && depth(b, 'maxDepth');
      case 'svcEnter':
        return str(b, 'mac', MAC_HEX, MAC_HEX, HEX_RE);
      case 'runStart':
        return depth(b, 'depth') && int(b, 'rate', RATE_MIN, RATE_MAX) && int(b, 'maxS', 1, RUN_MAX_S) && bool(b, 'openLoop', true);
      case 'hold':
        return duty(b, 'duty') && int(b, 'settleMs', DWELL_MIN_MS, DWELL_MAX_MS, true);
      case 'sweep':
        return arr(b, 'duties', 1, SWEEP_MAX, duty) && int(b, 'dwellMs', DWELL_MIN_MS, DWELL_MAX_MS);
      case 'capture':
        return int(b, 'rate', RATE_MIN, RATE_MAX) && duty(b, 'duty') && int(b, 'n', CAPTURE_MIN, CAPTURE_MAX, true) &&
          en(b, 'ch', CAPTURE_CHANNELS, true);
      case 'calWrite':
        return obj(b, 'cal', vCal) && bool(b, 'trial', true);
      case 'tlmSub':
        return int(b, 'every', TLM_EVERY_MIN, TLM_EVERY_MAX) && arr(b, 'fields', 1, TLM_FIELDS.length, fieldItem, true) &&
          bool(b, 'perStroke', true);
      default: // requests with an empty body
        return true;
    }
  }

  if (!isObj(b)) return 'BAD_FIELD body';
  if (fields(id, b)) strict(b, 'body');
  return E;
}

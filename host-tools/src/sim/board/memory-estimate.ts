// An ESTIMATE of the JsVars the firmware's data would take on Espruino, for
// process.memory(). It walks the object graph reachable from the context's global
// object (what the firmware added to it, including properties added to built-in objects
// such as E) and from the callbacks the board holds (timers, watches, event listeners,
// running Waveforms), and charges:
//   object / array: 1 var, plus 2 per property / element (name + value)
//   property names and string values: +1 var per 10 chars beyond the first 4
//   typed array: 2 vars (view + ArrayBuffer) + 1 per 12 bytes of data
//   function: 3 vars (code stays in flash when loaded from Storage) + its properties,
//     and the methods on its `prototype` (classes)
// Limits: state captured in closures (e.g. the locals of a bundled IIFE) is invisible
// to reflection and NOT counted, so for a bundled firmware this is a lower bound on the
// heap; calibrate absolute numbers on the Linux build of Espruino (ESPRUINO_BIN).
// The walk is deterministic: same state, same number.

const SKIP_FN_PROPS = new Set(['length', 'name', 'prototype', 'arguments', 'caller']);

function strVars(s: string): number {
  return s.length <= 4 ? 0 : Math.ceil((s.length - 4) / 10);
}

export class MemoryEstimator {
  private seen = new Set<object>();
  private count = 0;
  private budget = 200000;

  constructor(private readonly builtins: Set<object>) {}

  /** Vars for `v` as a property value (the property's own 2 vars not included). */
  value(v: unknown): number {
    if (typeof v === 'string') return strVars(v);
    if ((typeof v !== 'object' && typeof v !== 'function') || v === null) return 0;
    const o = v as object;
    if (this.seen.has(o) || this.builtins.has(o)) return 0;
    if (--this.budget < 0) return 0;
    this.seen.add(o);
    if (ArrayBuffer.isView(o)) {
      const buf = (o as ArrayBufferView).buffer;
      if (this.seen.has(buf)) return 1;
      this.seen.add(buf);
      return 2 + Math.ceil((o as ArrayBufferView).byteLength / 12);
    }
    if (Object.prototype.toString.call(o) === '[object ArrayBuffer]') return 1 + Math.ceil((o as ArrayBuffer).byteLength / 12);
    let n = typeof o === 'function' ? 3 : 1;
    n += this.props(o, typeof o === 'function');
    if (typeof o === 'function') {
      const d = Object.getOwnPropertyDescriptor(o, 'prototype');
      const proto = d && 'value' in d ? (d.value as unknown) : undefined;
      if (proto && typeof proto === 'object' && !this.seen.has(proto) && !this.builtins.has(proto)) {
        this.seen.add(proto);
        const extra = this.props(proto, false, 'constructor');
        if (extra > 0) n += 1 + extra;
      }
    }
    return n;
  }

  /** Vars of the own properties of `o` (2 each plus their values). */
  props(o: object, isFn: boolean, skip?: string): number {
    let n = 0;
    let names: string[];
    try {
      names = Object.getOwnPropertyNames(o);
    } catch {
      return 0;
    }
    for (const k of names) {
      if ((isFn && SKIP_FN_PROPS.has(k)) || k === skip) continue;
      if (Array.isArray(o) && k === 'length') continue;
      const d = Object.getOwnPropertyDescriptor(o, k);
      if (!d) continue;
      n += 2 + strVars(k);
      if ('value' in d) n += this.value(d.value);
      else n += this.value(d.get) + this.value(d.set);
    }
    return n;
  }

  /** Vars of the properties of a built-in object that are not in `baseline`. */
  addedProps(o: object, baseline: Set<string>): number {
    let n = 0;
    for (const k of Object.getOwnPropertyNames(o)) {
      if (baseline.has(k)) continue;
      const d = Object.getOwnPropertyDescriptor(o, k)!;
      n += 2 + strVars(k);
      if ('value' in d) n += this.value(d.value);
      else n += this.value(d.get) + this.value(d.set);
    }
    return n;
  }

  add(n: number): void {
    this.count += n;
  }

  get total(): number {
    return this.count;
  }
}

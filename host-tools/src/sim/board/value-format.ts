// How Espruino turns values into console text: print()/console.log, the REPL's `=value`
// line and E.toJS (EVAL packet responses), plus the liberal JSON that EVENT/FILE_SEND
// packets accept ({fn:'x'} with unquoted keys and single quotes).

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function typedName(v: object): string | undefined {
  const t = Object.prototype.toString.call(v);
  const m = /^\[object (\w+Array)\]$/.exec(t);
  return m ? m[1] : undefined;
}

/**
 * Espruino-style rendering: strings quoted inside containers, `{ "a": 1 }` objects,
 * `[ 1, 2 ]` arrays, `new Uint8Array([1, 2])`. `dropQuotes` renders keys unquoted when
 * they are identifiers, as the REPL does.
 */
export function formatValue(v: unknown, dropQuotes = false, depth = 0, seen: object[] = []): string {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
    case 'boolean':
      return String(v);
    case 'function': {
      const src = Function.prototype.toString.call(v);
      return src.length > 200 ? src.slice(0, 200) + '…' : src;
    }
    case 'bigint':
    case 'symbol':
      return String(v);
  }
  const o = v as object;
  if (seen.indexOf(o) >= 0 || depth > 8) return '{ ... }';
  const tn = typedName(o);
  if (tn) return `new ${tn}([${Array.prototype.join.call(o, ', ')}])`;
  if (Object.prototype.toString.call(o) === '[object ArrayBuffer]') return `new ArrayBuffer(${(o as ArrayBuffer).byteLength})`;
  seen.push(o);
  let s: string;
  if (Array.isArray(o)) {
    s = o.length === 0 ? '[ ]' : '[ ' + o.map((x) => formatValue(x, dropQuotes, depth + 1, seen)).join(', ') + ' ]';
  } else if (Object.prototype.toString.call(o) === '[object Date]') {
    s = `Date: ${(o as Date).toString()}`;
  } else if (Object.prototype.toString.call(o) === '[object Error]') {
    s = String(o);
  } else {
    const keys = Object.keys(o);
    s = keys.length === 0 ? '{ }' : '{ ' + keys.map((k) => `${dropQuotes && IDENT.test(k) ? k : JSON.stringify(k)}: ${formatValue((o as Record<string, unknown>)[k], dropQuotes, depth + 1, seen)}`).join(', ') + ' }';
  }
  seen.pop();
  return s;
}

/** print()/console.log: strings raw, other values formatted, joined by spaces. */
export function formatPrintArgs(args: ArrayLike<unknown>): string {
  const parts: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    parts.push(typeof a === 'string' ? a : formatValue(a));
  }
  return parts.join(' ');
}

/** E.toJS: JSON-like, but undefined stays `undefined` and typed arrays are constructors. */
export function toJS(v: unknown, seen: object[] = []): string {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'function') return 'function(){}';
  if (typeof v !== 'object') return 'undefined';
  const o = v as object;
  if (seen.indexOf(o) >= 0) return 'undefined';
  const tn = typedName(o);
  if (tn) return `new ${tn}([${Array.prototype.join.call(o, ',')}])`;
  seen.push(o);
  let s: string;
  if (Array.isArray(o)) s = '[' + o.map((x) => toJS(x, seen)).join(',') + ']';
  else s = '{' + Object.keys(o).map((k) => `${JSON.stringify(k)}:${toJS((o as Record<string, unknown>)[k], seen)}`).join(',') + '}';
  seen.pop();
  return s;
}

/**
 * Liberal JSON (as jswrap_json_parse_liberal): object keys may be bare identifiers,
 * strings may use single quotes. Returns strict JSON text, or undefined if the text is
 * not a single such value.
 */
export function liberalToStrictJson(text: string): string | undefined {
  let i = 0;
  const n = text.length;
  const ws = () => { while (i < n && /\s/.test(text[i]!)) i++; };
  const str = (): string | undefined => {
    const q = text[i];
    i++;
    let out = '';
    while (i < n && text[i] !== q) {
      let c = text[i]!;
      if (c === '\\') {
        i++;
        const e = text[i];
        if (e === undefined) return undefined;
        const map: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', '0': '\0', '\\': '\\', '"': '"', "'": "'", '/': '/' };
        if (e === 'x') { c = String.fromCharCode(parseInt(text.slice(i + 1, i + 3), 16)); i += 2; }
        else if (e === 'u') { c = String.fromCharCode(parseInt(text.slice(i + 1, i + 5), 16)); i += 4; }
        else c = map[e] ?? e;
      }
      out += c;
      i++;
    }
    if (text[i] !== q) return undefined;
    i++;
    return JSON.stringify(out);
  };
  const val = (): string | undefined => {
    ws();
    const c = text[i];
    if (c === undefined) return undefined;
    if (c === '{') {
      i++;
      const parts: string[] = [];
      ws();
      if (text[i] === '}') { i++; return '{}'; }
      for (;;) {
        ws();
        let key: string | undefined;
        if (text[i] === '"' || text[i] === "'") key = str();
        else {
          const m = /^[A-Za-z_$0-9][A-Za-z0-9_$]*/.exec(text.slice(i));
          if (!m) return undefined;
          key = JSON.stringify(m[0]);
          i += m[0].length;
        }
        if (key === undefined) return undefined;
        ws();
        if (text[i] !== ':') return undefined;
        i++;
        const v = val();
        if (v === undefined) return undefined;
        parts.push(key + ':' + v);
        ws();
        if (text[i] === ',') { i++; ws(); if (text[i] === '}') { i++; break; } continue; }
        if (text[i] === '}') { i++; break; }
        return undefined;
      }
      return '{' + parts.join(',') + '}';
    }
    if (c === '[') {
      i++;
      const parts: string[] = [];
      ws();
      if (text[i] === ']') { i++; return '[]'; }
      for (;;) {
        const v = val();
        if (v === undefined) return undefined;
        parts.push(v);
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; break; }
        return undefined;
      }
      return '[' + parts.join(',') + ']';
    }
    if (c === '"' || c === "'") return str();
    const m = /^(-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i));
    if (!m) return undefined;
    i += m[0].length;
    const num = m[0];
    if (/^-?\./.test(num) || /\.$/.test(num) || /\.(?=[eE])/.test(num)) return String(Number(num));
    return num;
  };
  const out = val();
  ws();
  return out !== undefined && i === n ? out : undefined;
}

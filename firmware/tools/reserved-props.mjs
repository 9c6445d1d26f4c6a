// Property names the firmware build must NOT shorten (esbuild mangleProps shortens the rest).
// Shortening internal member names (`this.lastHeartbeat` -> `this.Ab`) is what keeps the
// device bundle inside a Pico's 48 KB of Storage. A name is kept as written when it could
// be seen from outside the bundle or from a string:
//   - JavaScript and Espruino APIs: every identifier in TypeScript's lib files and in
//     firmware/src/hal/espruino.d.ts (over-reserving only costs bytes);
//   - the wire: every property key of the protocol's JSON Schema export (message fields,
//     envelope), plus the protocol's zod-free limits module's own members;
//   - flash records: every field declared in the files defining persisted records, so a
//     record written by one build reads in the next;
//   - every identifier-like string literal in the firmware (keys used as obj[name]).
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

const IDENT = /[A-Za-z_$][\w$]*/g;
/** A member declaration in a .d.ts or an interface: `name(`, `name:`, `name?:`, `name<`. */
const MEMBER = /^\s*(?:readonly\s+)?([A-Za-z_$][\w$]*)\??\s*[(:<]/gm;
const STRING_IDENT = /['"`]([A-Za-z_$][\w$]*)['"`]/g;

/** Files whose field names are stored in flash records. */
const PERSISTED = [
  'src/app/settings.ts', 'src/app/counters.ts', 'src/app/identity.ts', 'src/control/calibration.ts',
  'src/store/record-store.ts',
];

/** Source without comments. */
function code(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
}

function walk(dir, out) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (/\.ts$/.test(e.name)) out.push(p);
  }
  return out;
}

/** Every property key in a JSON Schema (properties, and required lists). */
function schemaKeys(node, out) {
  if (Array.isArray(node)) for (const x of node) schemaKeys(x, out);
  else if (node && typeof node === 'object') {
    if (node.properties && typeof node.properties === 'object') for (const k of Object.keys(node.properties)) out.add(k);
    for (const v of Object.values(node)) schemaKeys(v, out);
  }
}

export function reservedProps(firmwareDir, rootDir, require, wireSchema) {
  const names = new Set();
  const add = (text, re = IDENT) => {
    for (const m of text.matchAll(re)) names.add(m[1] || m[0]);
  };
  const tsLib = path.dirname(require.resolve('typescript/lib/lib.d.ts'));
  // declaration files: every identifier outside comments
  for (const f of readdirSync(tsLib)) if (/^lib\.es.*\.d\.ts$/.test(f)) add(code(readFileSync(path.join(tsLib, f), 'utf8')));
  add(code(readFileSync(path.join(firmwareDir, 'src/hal/espruino.d.ts'), 'utf8')));
  schemaKeys(wireSchema, names);
  for (const k of ['v', 'i', 's', 'b', 'c']) names.add(k);
  for (const f of PERSISTED) add(code(readFileSync(path.join(firmwareDir, f), 'utf8')), MEMBER);
  // string literals in code, not in comments (a name in backticks in a comment is prose)
  for (const f of walk(path.join(firmwareDir, 'src'), [])) add(code(readFileSync(f, 'utf8')), STRING_IDENT);
  return names;
}

/** The esbuild options: shorten names of 3+ characters that are not reserved. */
export function mangleOptions(firmwareDir, rootDir, require, wireSchema) {
  const reserved = [...reservedProps(firmwareDir, rootDir, require, wireSchema)].filter((n) => n.length >= 3);
  reserved.sort();
  return {
    // lower-case names only: UPPER_CASE members are const enums (inlined only when not mangled) and pin roles
    mangleProps: /^[a-z_$][\w$]{2,}$/,
    reserveProps: new RegExp('^(?:' + reserved.map((n) => n.replace(/\$/g, '\\$')).join('|') + ')$'),
  };
}

// Pretokenises a bundle for Espruino: every reserved word and multi-character operator
// becomes the single byte Espruino's own lexer turns it into (src/jslex.h LEX_TYPES,
// "DO NOT MODIFY THE ORDERING OF THIS LIST": the Web IDE and the App Loader store code this
// way), and whitespace next to such a byte goes. Espruino reads a byte >= 128 outside a
// string as that token, so the interpreter sees the same tokens it would have lexed from
// the text; Storage holds about a sixth less. The input must be ASCII (bytes >= 128 would
// be read as tokens): the build asks uglify for ascii_only output.
import * as acorn from 'acorn';
import { readFileSync } from 'node:fs';

/** The token bytes, written once for the build and the virtual board (espruino-tokens.json). */
const T = JSON.parse(readFileSync(new URL('./espruino-tokens.json', import.meta.url), 'utf8'));

export const TOKEN_BYTES = new Map([
  ...T.operators.map((t, i) => [t, T.operatorBase + i]),
  ...T.words.map((t, i) => [t, T.wordBase + i]),
  ['??', T.nullish],
]);

/** The pretokenised text of `code` (a latin-1 string: one char per byte). */
export function pretokenise(code) {
  if (/[^\x00-\x7f]/.test(code)) throw new Error('pretokenise: the code must be ASCII');
  let out = '';
  let lastEnd = 0;
  let lastWasByte = true; // the start of the text needs no separator
  for (const tok of acorn.tokenizer(code, { ecmaVersion: 2020 })) {
    const text = code.slice(tok.start, tok.end);
    const byte = TOKEN_BYTES.get(text);
    // only words and operators the lexer itself would read as one token (not inside strings,
    // templates or regular expressions: those are single acorn tokens copied as they are)
    const isWordOrOp = tok.type.keyword !== undefined || tok.type.label === 'name' || tok.type.binop !== undefined ||
      tok.type.isAssign || tok.type.label === '++/--' || tok.type.label === '=>' || tok.type.prefix;
    const asByte = byte !== undefined && isWordOrOp;
    const gap = code.slice(lastEnd, tok.start);
    // whitespace between two text tokens stays (it may separate them); next to a byte it goes
    if (gap && !asByte && !lastWasByte) out += gap;
    out += asByte ? String.fromCharCode(byte) : text;
    lastWasByte = asByte;
    lastEnd = tok.end;
  }
  return out;
}

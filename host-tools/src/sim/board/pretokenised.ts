// Pretokenised code, as Espruino reads it: outside a string, template, regular expression
// or comment, a byte >= 128 is one token (a reserved word or a multi-character operator)
// numbered as in Espruino's src/jslex.h LEX_TYPES (the list its Web IDE and App Loader
// rely on). The firmware build stores its bundle this way (firmware/tools/pretokenise.mjs:
// a sixth less Storage); the virtual board turns the bytes back into text before Node
// compiles the code. Espruino's other pretokenised forms (raw strings and integers, bytes
// 209-213) are refused: nothing here writes them.
import tokens from '../../../../firmware/tools/espruino-tokens.json';

/** Token text by byte (the table the build pretokenises with: firmware/tools/espruino-tokens.json). */
export const TOKEN_TEXT: ReadonlyMap<number, string> = new Map<number, string>([
  ...tokens.operators.map((t, i): [number, string] => [tokens.operatorBase + i, t]),
  ...tokens.words.map((t, i): [number, string] => [tokens.wordBase + i, t]),
  [tokens.nullish, '??'],
]);

/** After one of these (or a token byte, or the start) a `/` opens a regular expression. */
const BEFORE_REGEX = '(,=:[!&|?{};+-*%<>~^';
/** Tokens after which a `/` divides. */
const OPERAND_ENDS = new Set(['++', '--', 'this', 'true', 'false', 'null', 'undefined', 'super']);
/** ... and after one of these words written out. */
const WORDS_BEFORE_REGEX = new Set(['return', 'typeof', 'case', 'do', 'else', 'in', 'instanceof', 'new', 'delete', 'void', 'throw', 'of']);

/**
 * The text of pretokenised code: each token byte outside a literal or comment becomes its
 * word or operator with a space either side. Code without such bytes comes back as it is.
 * The regular-expression test is the usual one-character look-behind (a `/` after an
 * operator, an opening bracket or a token opens one), enough for minified code.
 */
export function detokenise(code: string): string {
  if (!/[\x80-\xff]/.test(code)) return code;
  let out = '';
  let i = 0;
  let prev = ''; // the last significant character, '' at the start or after a token byte
  let prevAt = -1; // and where it is in `code`
  const n = code.length;
  const copyQuoted = (q: string): void => {
    // from the opening quote to the closing one, escapes kept
    let j = i + 1;
    while (j < n && code[j] !== q) j += code[j] === '\\' ? 2 : 1;
    out += code.slice(i, j + 1);
    i = j + 1;
  };
  while (i < n) {
    const ch = code[i]!;
    const c = code.charCodeAt(i);
    if (c >= 128 && c <= 255) {
      const t = TOKEN_TEXT.get(c);
      if (t === undefined) throw new SyntaxError(`pretokenised code: byte ${c} at ${i} is no token this board reads`);
      out += ' ' + t + ' ';
      prev = OPERAND_ENDS.has(t) ? ')' : '';
      i++;
    } else if (ch === '"' || ch === "'" || ch === '`') {
      copyQuoted(ch);
      prev = ch;
    } else if (ch === '/' && code[i + 1] === '/') {
      const j = code.indexOf('\n', i);
      const end = j < 0 ? n : j;
      out += code.slice(i, end);
      i = end;
    } else if (ch === '/' && code[i + 1] === '*') {
      const j = code.indexOf('*/', i + 2);
      const end = j < 0 ? n : j + 2;
      out += code.slice(i, end);
      i = end;
    } else if (ch === '/' && (prev === '' || BEFORE_REGEX.includes(prev) || WORDS_BEFORE_REGEX.has(wordEndingAt(code, prevAt)))) {
      // a regular expression: to the closing `/` outside a character class, then its flags
      let j = i + 1;
      let inClass = false;
      while (j < n && (inClass || code[j] !== '/')) {
        if (code[j] === '\\') j++;
        else if (code[j] === '[') inClass = true;
        else if (code[j] === ']') inClass = false;
        j++;
      }
      out += code.slice(i, j + 1);
      i = j + 1;
      prev = ')'; // a regex ends like an operand: a following `/` divides
    } else {
      out += ch;
      if (!/\s/.test(ch)) { prev = ch; prevAt = i; }
      i++;
    }
  }
  return out;
}

function wordEndingAt(code: string, end: number): string {
  let start = end;
  while (start >= 0 && /[A-Za-z0-9_$]/.test(code[start]!)) start--;
  return code.slice(start + 1, end + 1);
}

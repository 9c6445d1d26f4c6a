// The bundles are stored pretokenised (firmware/tools/pretokenise.mjs): each reserved word
// and multi-character operator as the byte Espruino's lexer numbers it (src/jslex.h). The
// virtual board reads them back with host-tools/src/sim/board/pretokenised.ts; both take the
// bytes from firmware/tools/espruino-tokens.json, which must be Espruino's, and the text must
// mean the same.
import { execFileSync } from 'child_process';
import { readFileSync } from 'fs';
import path from 'path';
import * as acorn from 'acorn';
import { detokenise, TOKEN_TEXT } from '../../host-tools/src/sim/board/pretokenised';

const tools = path.join(__dirname, '..', 'tools', 'pretokenise.mjs');
const dist = path.join(__dirname, '..', 'dist');

/** Run the build's pretokeniser (an ES module) on `code`; latin-1 text back. */
function pretokenise(code: string): string {
  const script = `import { pretokenise } from ${JSON.stringify(tools)};
let s = ''; process.stdin.setEncoding('latin1').on('data', (d) => { s += d; }).on('end', () => process.stdout.write(Buffer.from(pretokenise(s), 'latin1')));`;
  return execFileSync(process.execPath, ['--input-type=module', '-e', script], { input: Buffer.from(code, 'latin1'), stdio: ['pipe', 'pipe', 'pipe'] }).toString('latin1');
}

function tokens(code: string): string[] {
  return [...acorn.tokenizer(code, { ecmaVersion: 2020 })].map((t) => code.slice(t.start, t.end));
}

describe('pretokenised bundles', () => {
  it("the byte numbers are Espruino's (src/jslex.h LEX_TYPES)", () => {
    // spot checks against the header: LEX_EQUAL 138, LEX_ARROW_FUNCTION 162, LEX_R_IF 163, LEX_R_OF 198, LEX_NULLISH 208
    expect([TOKEN_TEXT.get(138), TOKEN_TEXT.get(161), TOKEN_TEXT.get(162), TOKEN_TEXT.get(163), TOKEN_TEXT.get(170), TOKEN_TEXT.get(198), TOKEN_TEXT.get(208)])
      .toEqual(['==', '^=', '=>', 'if', 'function', 'of', '??']);
  });

  it('code means the same after pretokenising and reading back', () => {
    const code = 'function f(a,b){if(a===b||a!==b&&a<=b)return a>>>=1;for(var i=0;i<10;i++)b+=i--;' +
      'var s="if else \\" function",t=\'x\',r=/a\\/b[/]/g,u=a/2/b;' +
      'switch(typeof a){case"x":break;default:return void 0}' +
      'let c=(x)=>x??null;const o={default:1,in:2,of:3};o.default=a instanceof Object;' +
      'try{throw new Error("e")}catch(e){}finally{}do{a<<=1}while(a<<2>=b>>1);' +
      'return delete o.in,this,true,false,undefined,a%=2,a&=1,a|=2,a^=3,a*=4,a/=5,a-=6,a==b,a!=b}';
    const p = pretokenise(code);
    expect(p.length).toBeLessThan(code.length);
    expect(/[\x80-\xff]/.test(p)).toBe(true);
    expect(tokens(detokenise(p))).toEqual(tokens(code));
    // strings, regular expressions and comments keep their text
    expect(detokenise(p)).toContain('"if else \\" function"');
    expect(detokenise(p)).toContain('/a\\/b[/]/g');
  });

  it('refuses code that is not ASCII (its bytes would read as tokens)', () => {
    expect(() => pretokenise('var s="\xb5";')).toThrow();
  });

  for (const file of ['stipple.js', 'stipple-bench.js']) {
    it(`${file} is stored pretokenised, and pretokenising its text again gives the same bytes`, () => {
      const stored = readFileSync(path.join(dist, file), 'latin1');
      expect(/[\x80-\xff]/.test(stored)).toBe(true);
      const text = detokenise(stored);
      expect(/[\x80-\xff]/.test(text)).toBe(false);
      expect(() => acorn.parse(text, { ecmaVersion: 2020 })).not.toThrow();
      expect(pretokenise(text)).toBe(stored);
    });
  }
});

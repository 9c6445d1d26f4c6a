// The scenario-format reference in docs/hil.md, generated from the zod schema (through its
// JSON Schema), so the reference cannot drift from what the loader accepts. Regenerate with
// `npm run docs`; hil-tests/test/hil-doc.test.ts fails when docs/hil.md is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { ACTION_SHAPES, ASSERTION_SHAPES, Conditions, Host, Pen, Scenario } from './scenario-schema';

export const BEGIN = '<!-- BEGIN GENERATED: scenario reference (npm run docs) -->';
export const END = '<!-- END GENERATED: scenario reference -->';

type Js = {
  type?: string | string[]; enum?: unknown[]; const?: unknown; anyOf?: Js[]; oneOf?: Js[]; items?: Js; properties?: Record<string, Js>;
  required?: string[]; default?: unknown; description?: string; minimum?: number; maximum?: number; exclusiveMinimum?: number;
  exclusiveMaximum?: number; minLength?: number; maxLength?: number; minItems?: number; additionalProperties?: Js | boolean;
};

function json(t: z.ZodType): Js {
  return z.toJSONSchema(t, { io: 'input', unrepresentable: 'any' }) as Js;
}

const code = (v: unknown): string => `\`${typeof v === 'string' ? v : JSON.stringify(v)}\``;
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** A field's type in words: enums listed, ranges given, unions joined with "or". */
function typeOf(s: Js): string {
  if (s.const !== undefined) return code(s.const);
  if (s.enum) return s.enum.map(code).join(', ');
  const alts = s.anyOf ?? s.oneOf;
  if (alts && alts.length > 3 && alts.every((a) => a.properties)) return 'entries (see below)';
  if (alts) return alts.map(typeOf).join(' or ');
  const range = (): string => {
    const lo = s.minimum ?? (s.exclusiveMinimum !== undefined ? `>${s.exclusiveMinimum}` : undefined);
    const hi = s.maximum ?? (s.exclusiveMaximum !== undefined ? `<${s.exclusiveMaximum}` : undefined);
    if (lo === undefined && hi === undefined) return '';
    return ` ${lo ?? '…'}…${hi ?? '…'}`;
  };
  switch (s.type) {
    case 'integer': return `integer${range()}`;
    case 'number': return `number${range()}`;
    case 'string': return 'string';
    case 'boolean': return 'boolean';
    case 'array': return `list of ${s.items ? typeOf(s.items) : 'values'}`;
    case 'object': {
      if (s.properties) return `{ ${Object.keys(s.properties).join(', ')} }`;
      return 'object';
    }
    default: return 'any';
  }
}

/** A table of an object's fields. */
function fields(s: Js, skip: string[] = []): string {
  const props = s.properties ?? {};
  const req = new Set(s.required ?? []);
  const rows = Object.entries(props).filter(([k]) => !skip.includes(k)).map(([k, p]) => {
    const need = req.has(k) && p.default === undefined ? 'yes' : '';
    const dflt = p.default !== undefined ? code(p.default) : '';
    return `| \`${k}\` | ${cell(typeOf(p))} | ${need} | ${cell(dflt)} | ${cell(p.description ?? '')} |`;
  });
  return ['| field | type | required | default | meaning |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
}

/** The object inside `key` of a shape (e.g. the `depth: {…}` of a depth assertion). */
function inner(s: Js, key: string): Js | undefined {
  const p = s.properties?.[key];
  if (!p) return undefined;
  return p.properties ? p : (p.anyOf ?? []).find((a) => a.properties);
}

export function scenarioReference(): string {
  const top = json(Scenario);
  const out: string[] = [];
  out.push('### The scenario file', '', top.description ?? '', '', fields(top), '');
  out.push('### `pen`', '', json(Pen).description ?? '', '', fields(json(Pen)), '');
  out.push('### `host`', '', json(Host).description ?? '', '', fields(json(Host)), '');
  out.push('### `conditions` (and `set:` in the timeline)', '', json(Conditions).description ?? '', '', fields(json(Conditions)), '');
  out.push('### `timeline` entries', '', 'Every entry has `at` (seconds of scenario time) and an optional `label`, plus exactly one of these keys:', '');
  for (const [key, shape] of Object.entries(ACTION_SHAPES)) {
    const s = json(shape);
    out.push(`#### \`${key}\``, '', s.description ?? '', '', fields(s, ['at', 'label']), '');
  }
  out.push('### `assert` entries', '', 'Every entry has an optional `name` (shown in reports) and exactly one of these keys:', '');
  for (const [key, shape] of Object.entries(ASSERTION_SHAPES)) {
    const s = json(shape);
    const body = inner(s, key);
    out.push(`#### \`${key}\``, '', s.description ?? '', '', body ? fields(body) : `\`${key}: {}\``, '');
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trim();
}

/** docs/hil.md with its generated section replaced. */
export function withReference(doc: string): string {
  const a = doc.indexOf(BEGIN);
  const b = doc.indexOf(END);
  if (a < 0 || b < a) throw new Error(`docs/hil.md lacks the markers ${BEGIN} … ${END}`);
  return `${doc.slice(0, a + BEGIN.length)}\n\n${scenarioReference()}\n\n${doc.slice(b)}`;
}

/** Regenerate the reference in place (npm run docs). */
export function writeReference(file: string): void {
  writeFileSync(file, withReference(readFileSync(file, 'utf8')));
}

if (require.main === module) {
  const file = process.argv[2] ?? 'docs/hil.md';
  writeReference(file);
  console.log(`${file}: scenario reference regenerated`);
}

// Scenario files: JSON or YAML, validated by the zod schema. Directories are searched
// recursively (sorted, so the order is stable); a bad file is one clear error naming the
// file and the field, never a half-loaded scenario.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ACTION_SHAPES, ASSERTION_SHAPES, Scenario } from './scenario-schema';
import type { z } from 'zod';

export const SCENARIO_EXTENSIONS = ['.json', '.yaml', '.yml'];

export interface LoadedScenario {
  /** The file it came from (as given or found). */
  file: string;
  scenario: Scenario;
}

export class ScenarioFileError extends Error {
  constructor(readonly file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'ScenarioFileError';
  }
}

/** Every scenario file under the given files and directories (recursively), sorted per directory. */
export function findScenarioFiles(paths: string[]): string[] {
  const out: string[] = [];
  const walk = (p: string, explicit: boolean): void => {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new ScenarioFileError(p, 'no such file or directory');
    }
    if (st.isDirectory()) {
      for (const e of readdirSync(p).sort()) {
        if (e.startsWith('.')) continue;
        walk(path.join(p, e), false);
      }
    } else if (SCENARIO_EXTENSIONS.includes(path.extname(p).toLowerCase())) out.push(p);
    else if (explicit) throw new ScenarioFileError(p, `not a scenario file (${SCENARIO_EXTENSIONS.join(', ')})`);
  };
  for (const p of paths) walk(p, true);
  return out;
}

/** Parse and validate one scenario from its text. */
export function parseScenario(text: string, file: string): Scenario {
  let raw: unknown;
  try {
    raw = path.extname(file).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new ScenarioFileError(file, `not valid ${path.extname(file).slice(1).toUpperCase()}: ${(e as Error).message.split('\n')[0]}`);
  }
  const r = Scenario.safeParse(raw);
  if (!r.success) {
    const issue = explain(r.error.issues[0]!, raw);
    const where = issue.path.length ? issue.path.join('.') : '(top level)';
    const more = r.error.issues.length > 1 ? ` (and ${r.error.issues.length - 1} more)` : '';
    throw new ScenarioFileError(file, `${where}: ${issue.message}${more}`);
  }
  const s = r.data as Scenario;
  s.timeline = [...s.timeline].sort((a, b) => a.at - b.at);
  return s;
}

export function loadScenarioFile(file: string): LoadedScenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ScenarioFileError(file, (e as Error).message);
  }
  return { file, scenario: parseScenario(text, file) };
}

/** Load every scenario under `paths`; throws on the first bad file. */
export function loadScenarios(paths: string[]): LoadedScenario[] {
  const files = findScenarioFiles(paths);
  const seen = new Map<string, string>();
  return files.map((f) => {
    const l = loadScenarioFile(f);
    const prev = seen.get(l.scenario.name);
    if (prev) throw new ScenarioFileError(f, `scenario name "${l.scenario.name}" is also used by ${prev}`);
    seen.set(l.scenario.name, f);
    return l;
  });
}

/**
 * A timeline entry or an assertion is one of several shapes, told apart by its key; zod
 * reports a bad one as "Invalid input" for the whole union. Validate it against the shape its
 * key names instead, so the message says which field is wrong and why.
 */
function explain(issue: z.core.$ZodIssue, raw: unknown): { path: PropertyKey[]; message: string } {
  const [list, index] = issue.path;
  if (issue.code !== 'invalid_union' || (list !== 'timeline' && list !== 'assert') || typeof index !== 'number' || issue.path.length !== 2) return issue;
  const shapes: Record<string, z.ZodType> = list === 'timeline' ? ACTION_SHAPES : ASSERTION_SHAPES;
  const entry = (raw as Record<string, unknown[]>)[list]?.[index];
  const keys = entry && typeof entry === 'object' ? Object.keys(entry).filter((k) => k in shapes) : [];
  if (keys.length !== 1) {
    return { path: issue.path, message: `needs exactly one of ${Object.keys(shapes).join(', ')} (found ${keys.length ? keys.join(', ') : 'none'})` };
  }
  const r = shapes[keys[0]!]!.safeParse(entry);
  if (r.success) return issue;
  const inner = r.error.issues[0]!;
  return { path: [...issue.path, ...inner.path], message: inner.message };
}

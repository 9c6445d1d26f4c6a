// docs/protocol.md is generated from the schemas; this fails when it is stale.
import { readFileSync } from 'node:fs';
import { generateProtocolDoc, PROTOCOL_DOC_PATH } from '../src/docs/generate-protocol-doc';
import { REQUEST_IDS } from '../src/schemas';
import { ERROR_CODES } from '../src/limits';

test('docs/protocol.md is up to date (regenerate: npm run docs)', () => {
  const doc = generateProtocolDoc();
  expect(readFileSync(PROTOCOL_DOC_PATH, 'utf8') === doc).toBe(true);
});

test('the doc names every message, every error code, the worked example and the security section', () => {
  const doc = generateProtocolDoc();
  for (const id of REQUEST_IDS) expect(doc).toContain(`### ${id}\n`);
  for (const id of ['state', 'fault', 'warn', 'tlm']) expect(doc).toContain(`### ${id}\n`);
  for (const c of ERROR_CODES) expect(doc).toContain(`| \`${c}\` |`);
  expect(doc).toContain('0000  10 01 40');
  expect(doc).toContain('E.setPassword');
  expect(doc).toContain('E.lockConsole');
});

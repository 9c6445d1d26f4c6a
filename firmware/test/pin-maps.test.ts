// The pin maps are data: every board maps every role to a distinct pin, and the table in
// docs/hardware.md says the same as the firmware's.
import { readFileSync } from 'fs';
import path from 'path';
import { PIN_MAPS, pinMap } from '../src/boards/pin-maps';

const BOARDS = ['PICO', 'WIFI', 'MDBT42Q', 'ESP32'] as const;

test('each board maps the 20 roles to 20 distinct pins', () => {
  for (const b of BOARDS) {
    const m = PIN_MAPS[b];
    expect(Object.keys(m)).toHaveLength(20);
    expect(new Set(Object.values(m)).size).toBe(20);
    for (const v of Object.values(m)) expect(v).toMatch(/^[A-D]\d{1,2}$/);
    expect(pinMap(b)).toEqual(m);
  }
});

test('docs/hardware.md lists the same pins', () => {
  const md = readFileSync(path.join(__dirname, '..', '..', 'docs', 'hardware.md'), 'utf8');
  const rows = [...md.matchAll(/^\| `([A-Z_]+)` \| (\w+) \| (\w+) \| (\w+) \| (\w+) \|$/gm)];
  expect(rows).toHaveLength(20);
  for (const r of rows) BOARDS.forEach((b, i) => expect([r[1], PIN_MAPS[b][r[1] as keyof (typeof PIN_MAPS)['PICO']]]).toEqual([r[1], r[i + 2]]));
});

import fs from 'node:fs';
import path from 'node:path';
import { explainTrainerParams, formatExplain } from '../../src/pacemaker/explain';
import { resolveTrainerParams } from '../../src/api/trainer-params';

describe('config --explain lists every TrainerParams field with its default and description', () => {
  const entries = explainTrainerParams();
  const byField = new Map(entries.map((e) => [e.field, e]));

  test('every leaf field of the resolved defaults is listed, and nothing else', () => {
    const leaves: string[] = [];
    const walk = (obj: Record<string, unknown>, prefix: string) => {
      for (const [k, v] of Object.entries(obj)) {
        const field = prefix ? `${prefix}.${k}` : k;
        const isStruct =
          v !== null &&
          typeof v === 'object' &&
          !Array.isArray(v) &&
          !['elementDependentCutoffs'].includes(k);
        if (isStruct) walk(v as Record<string, unknown>, field);
        else leaves.push(field);
      }
    };
    walk(resolveTrainerParams({}) as unknown as Record<string, unknown>, '');
    // ace.elements is unset by default (taken from the data), so it is not among the resolved leaves.
    expect([...byField.keys()].sort()).toEqual(
      [...leaves, 'ace.elements', 'lossWeights.energy', 'lossWeights.forces'].sort(),
    );
  });

  test('every field has a description', () => {
    expect(entries.filter((e) => e.description.trim().length < 10).map((e) => e.field)).toEqual([]);
  });

  test('defaults shown are the schema defaults', () => {
    expect(byField.get('ace.cutoff')?.default).toBe('5');
    expect(byField.get('backend.evaluator')?.default).toBe('"tensorpot"');
    expect(byField.get('lossWeights.stress')?.default).toBe('0');
    expect(byField.get('kappa')?.default).toBe('(unset)');
    expect(byField.get('ace.radialBasis')?.type).toBe('"SBessel" | "ChebExpCos" | "ChebPow"');
  });

  test('the text form shows field, type, default and description', () => {
    const text = formatExplain(entries);
    expect(text).toMatch(/^ace\.cutoff {2}\(number > 0, ≤ 20; default 5\)\n {4}outer cutoff in Å/m);
    expect(text).toMatch(/^lossWeights\.stress .*\n .*pacemaker has no stress term/m);
  });

  test("docs/trainer-params.md's table shows the schema's defaults", () => {
    const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'trainer-params.md'), 'utf8');
    const norm = (v: string) => v.replace(/[`\s"]/g, '');
    let compared = 0;
    for (const e of entries) {
      if (e.default === '(unset)') continue;
      const row = doc.split('\n').find((l) => l.startsWith(`| \`${e.field}\``));
      if (!row) continue; // fields sharing a row (".l2", "w0/w1/w2") are covered by their first one
      const cell = row.split('|')[2]!;
      const shown = /`([^`]*)`/.exec(cell)?.[1] ?? cell; // the first code span: "`1e-8` each"
      expect([e.field, norm(shown)]).toEqual([e.field, norm(e.default)]);
      compared++;
    }
    expect(compared).toBeGreaterThan(15);
  });
});

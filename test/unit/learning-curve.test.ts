import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MetricsTableError, parseMetricsTable } from '../../src/pacemaker/metrics-table';
import {
  cumulativeIterations,
  learningCurveSvgFromTable,
  linearTicks,
  logTicks,
  renderLearningCurveSvg,
} from '../../src/plot/learning-curve';
import { writeLearningCurveFile } from '../../src/plot/learning-curve-file';

// The header and two rows as pacemaker 0.3 writes metrics.txt (values shortened).
const HEADER =
  'ladder_step cycle_step iter_num loss e_loss_contrib f_loss_contrib reg_loss rmse_epa rmse_f_comp low_rmse_epa low_rmse_f_comp mae_f_comp low_mae_f_comp nfuncs ncoefs';
const ROW0 = '0 0 0 0.205 0.0166 0.188 0.0 0.15397 0.45760 0.15397 0.45760 0.358 0.358 6 20';
const ROW1 = '0 0 1 0.186 0.0021 0.184 2.0e-10 0.05418 0.45260 0.05418 0.45260 0.353 0.353 6 20';
const TABLE = [HEADER, ROW0, ROW1, ''].join('\n');

describe('reading pacemaker metrics tables', () => {
  test.each([
    {
      name: 'rows become iterations with RMSEs in meV',
      text: TABLE,
      rows: [
        { iteration: 0, loss: 0.205, rmseEnergyMeVPerAtom: 153.97, rmseForcesMeVPerA: 457.6 },
        { iteration: 1, loss: 0.186, rmseEnergyMeVPerAtom: 54.18, rmseForcesMeVPerA: 452.6 },
      ],
    },
    {
      name: 'wide padding, blank lines and a repeated header from a resumed fit are accepted',
      text: `  ${HEADER.replace(/ /g, '     ')}\n\n${ROW0}\n${HEADER}\n${ROW1.replace(' 1 ', ' 0 ')}\n`,
      rows: [
        { iteration: 0, loss: 0.205, rmseEnergyMeVPerAtom: 153.97, rmseForcesMeVPerA: 457.6 },
        { iteration: 0, loss: 0.186, rmseEnergyMeVPerAtom: 54.18, rmseForcesMeVPerA: 452.6 },
      ],
    },
    {
      name: 'only the needed columns are required, in any order',
      text: 'rmse_f_comp loss iter_num rmse_epa\n0.5 2 7 0.001\n',
      rows: [{ iteration: 7, loss: 2, rmseEnergyMeVPerAtom: 1, rmseForcesMeVPerA: 500 }],
    },
    { name: 'a header without rows is an empty curve', text: `${HEADER}\n`, rows: [] },
  ])('$name', ({ text, rows }) => {
    const parsed = parseMetricsTable(text);
    expect(parsed).toHaveLength(rows.length);
    parsed.forEach((row, i) => {
      expect(row.iteration).toBe(rows[i]!.iteration);
      expect(row.loss).toBeCloseTo(rows[i]!.loss, 10);
      expect(row.rmseEnergyMeVPerAtom).toBeCloseTo(rows[i]!.rmseEnergyMeVPerAtom, 6);
      expect(row.rmseForcesMeVPerA).toBeCloseTo(rows[i]!.rmseForcesMeVPerA, 6);
    });
  });

  test.each([
    {
      name: 'a missing column is named',
      text: HEADER.replace(' rmse_f_comp ', ' ') + '\n',
      error: /lacks column 'rmse_f_comp'/,
    },
    {
      name: 'several missing columns are all named',
      text: 'a b c\n1 2 3\n',
      error: /'iter_num', 'loss', 'rmse_epa', 'rmse_f_comp'/,
    },
    { name: 'an empty file says so', text: '\n\n', error: /empty/ },
    {
      name: 'a value that is not a number names the line and column',
      text: `${HEADER}\n${ROW0.replace('0.205', 'nope')}\n`,
      error: /line 2: column 'loss' is not a number: 'nope'/,
    },
    {
      name: 'a truncated row is refused',
      text: `${HEADER}\n0 0 3 0.1\n`,
      error: /line 2 has 4 values, the header has 15 columns/,
    },
  ])('$name', ({ text, error }) => {
    expect(() => parseMetricsTable(text)).toThrow(MetricsTableError);
    expect(() => parseMetricsTable(text)).toThrow(error);
  });
});

/** Every opening tag is closed in order (self-closing tags count as both): a simple well-formedness check. */
function assertBalancedTags(xml: string) {
  const stack: string[] = [];
  const body = xml.replace(/<\?xml[^>]*\?>/, '');
  for (const m of body.matchAll(/<(\/?)([A-Za-z][\w:-]*)[^>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = m;
    if (selfClosing) continue;
    if (closing) expect(stack.pop()).toBe(name);
    else stack.push(name!);
  }
  expect(stack).toEqual([]);
  // No raw '<' or '&' in text (escaped): anything between tags is plain text.
  for (const text of body.split(/<[^>]*>/)) {
    expect(text).not.toMatch(/[<>]|&(?!(amp|lt|gt|quot|apos);)/);
  }
}

describe('the learning-curve picture', () => {
  test('shows loss, energy and force RMSE as three series, with axes labelled in meV', () => {
    const svg = learningCurveSvgFromTable(TABLE, { title: 'cu@v1 <demo> & co' });
    expect(svg.startsWith('<?xml')).toBe(true);
    expect(svg).toContain('<svg xmlns="http://www.w3.org/2000/svg"');
    for (const series of ['loss', 'rmse-energy', 'rmse-forces'])
      expect(svg).toMatch(
        new RegExp(`<polyline class="series" data-series="${series}"[^>]* points="[^"]+ [^"]+"`),
      );
    expect(svg).toContain('Loss (log scale)');
    expect(svg).toContain('RMSE energy (meV/atom)');
    expect(svg).toContain('RMSE forces (meV/Å)');
    expect(svg).toContain('cu@v1 &lt;demo&gt; &amp; co');
    expect(svg).toContain('>iteration</text>');
    expect(svg).not.toMatch(/href|<script|@font-face|url\(/);
    assertBalancedTags(svg);
  });

  test('an empty table still gives a valid picture that says there is nothing to show', () => {
    const svg = renderLearningCurveSvg([]);
    expect(svg).toContain('no values recorded');
    expect(svg).not.toContain('<polyline');
    assertBalancedTags(svg);
  });

  test('a single iteration and a zero loss do not break the scales', () => {
    const svg = renderLearningCurveSvg([
      { iteration: 0, loss: 0, rmseEnergyMeVPerAtom: 5, rmseForcesMeVPerA: 5 },
    ]);
    expect(svg).not.toMatch(/NaN|Infinity/);
    expect(svg).toContain('data-series="rmse-energy"');
    assertBalancedTags(svg);
  });

  test('a resumed fit continues along the x axis instead of drawing back to iteration 0', () => {
    const row = { loss: 1, rmseEnergyMeVPerAtom: 1, rmseForcesMeVPerA: 1 };
    expect(cumulativeIterations([0, 1, 2, 0, 1].map((iteration) => ({ ...row, iteration })))).toEqual([
      0, 1, 2, 3, 4,
    ]);
  });

  test('ticks cover the data with round numbers', () => {
    expect(linearTicks(0, 5, 8)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(linearTicks(0, 457)).toEqual([0, 100, 200, 300, 400, 500]);
    expect(logTicks(0.034, 0.2)).toEqual([0.01, 0.1, 1]);
    expect(logTicks(1, 1)).toEqual([1, 10]);
  });
});

describe('drawing the learning curve while publishing', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'learning-curve-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('a readable table gives learning-curve.svg', () => {
    fs.writeFileSync(path.join(dir, 'ok.txt'), TABLE);
    expect(writeLearningCurveFile(path.join(dir, 'ok.txt'), path.join(dir, 'ok.svg'), 'cu')).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'ok.svg'), 'utf8')).toContain('data-series="loss"');
  });

  test('a table it cannot read is logged and skipped, never thrown, and leaves no picture', () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    fs.writeFileSync(path.join(dir, 'bad.txt'), 'iter_num loss\n1 2\n');
    expect(writeLearningCurveFile(path.join(dir, 'bad.txt'), path.join(dir, 'bad.svg'), 'cu')).toBe(false);
    expect(writeLearningCurveFile(path.join(dir, 'missing.txt'), path.join(dir, 'missing.svg'), 'cu')).toBe(
      false,
    );
    expect(fs.existsSync(path.join(dir, 'bad.svg'))).toBe(false);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/learning curve not drawn .*'rmse_epa'/));
    warn.mockRestore();
  });
});

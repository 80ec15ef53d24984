import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../../src/cli/command';
import { listQuery } from '../../src/cli/commands/list';
import { requestFromArgs } from '../../src/cli/commands/start';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'start-request-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
};

describe('mlip-train start turns flags into a TrainingRequest', () => {
  test('selection flags become the selection, and --max-iterations is merged into the --trainer file', async () => {
    const trainer = file('trainer.yaml', 'optimizer: {maxIterations: 50}\nace: {functionsPerElement: 6}\n');
    const { request, wait, json } = await requestFromArgs([
      '--campaign',
      'cu',
      '--max-generation',
      '2',
      '--elements',
      'Cu, Ni',
      '--max-force',
      '5.5',
      '--dft-settings-hash',
      'abc',
      '--limit',
      '40',
      '--invalid-records',
      'skip',
      '--trainer',
      trainer,
      '--max-iterations',
      '7',
      '--potential-name',
      'cu-small',
      '--wait',
    ]);
    expect(request).toMatchObject({
      campaign: 'cu',
      selection: {
        maxGeneration: 2,
        elements: ['Cu', 'Ni'],
        maxForce: 5.5,
        dftSettingsHash: 'abc',
        limit: 40,
      },
      invalidRecords: 'skip',
      trainer: { optimizer: { maxIterations: 7 }, ace: { functionsPerElement: 6 } },
      potentialName: 'cu-small',
    });
    expect({ wait, json }).toEqual({ wait: true, json: false });
  });

  test('a --request file is the starting point and flags override its fields', async () => {
    const req = file(
      'request.json',
      JSON.stringify({
        campaign: 'from-file',
        selection: { limit: 3 },
        trainer: { optimizer: { maxIterations: 9 } },
      }),
    );
    const { request } = await requestFromArgs([
      '--request',
      req,
      '--campaign',
      'cu',
      '--max-generation',
      '1',
    ]);
    expect(request).toMatchObject({
      campaign: 'cu',
      selection: { limit: 3, maxGeneration: 1 },
      trainer: { optimizer: { maxIterations: 9 } },
    });
  });

  test.each([
    { args: ['--campaign', 'cu', '--max-generation', '1.5'], error: '--max-generation must be an integer' },
    {
      args: ['--campaign', 'cu', '--request', path.join(os.tmpdir(), 'nope.json')],
      error: 'cannot read --request',
    },
    { args: ['--campaign', 'cu', '--elements', 'Copper'], error: 'selection.elements.0:' },
    { args: ['--campaign', 'cu', '--max-iterations', '0'], error: 'optimizer.maxIterations' },
    { args: ['--campaign', 'cu', '--workflow-id', ' '], error: '--workflow-id must not be empty' },
    { args: ['--campaign', 'cu', '--initial-potential', 'cu-v1'], error: 'initialPotential: a registry id' },
  ])('a bad value is a usage error naming it: $args', async ({ args, error }) => {
    const result = requestFromArgs(args);
    await expect(result).rejects.toBeInstanceOf(UsageError);
    await expect(requestFromArgs(args)).rejects.toThrow(error);
  });

  test('--initial-potential warm-starts from a published potential', async () => {
    const { request } = await requestFromArgs(['--campaign', 'cu', '--initial-potential', 'cu@v3']);
    expect(request.initialPotential).toBe('cu@v3');
  });

  test('a --request file that is not valid YAML says so', async () => {
    const bad = file('bad.yaml', 'campaign: [unclosed\n');
    await expect(requestFromArgs(['--request', bad])).rejects.toThrow(
      /--request .*bad\.yaml is not valid YAML/,
    );
  });
});

describe('mlip-train list finds trainings through search attributes', () => {
  test.each([
    { filters: {}, query: "WorkflowType = 'trainPotential'" },
    {
      filters: { campaign: 'cu', running: true },
      query: `WorkflowType = 'trainPotential' AND MlipCampaign = "cu" AND ExecutionStatus = 'Running'`,
    },
    {
      filters: { campaign: 'a"b\\c' },
      query: `WorkflowType = 'trainPotential' AND MlipCampaign = "a\\"b\\\\c"`,
    },
  ])('$filters → $query', ({ filters, query }) => {
    expect(listQuery(filters)).toBe(query);
  });
});

import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../src/cli/command';
import { readRequestFile } from '../../src/cli/request-file';
import { scratchDir } from '../harness/context';

const dir = scratchDir('request-file');

test.each([
  {
    name: 'request.json',
    text: '{"campaign": "cu", "selection": {"limit": 3}}',
    value: { campaign: 'cu', selection: { limit: 3 } },
  },
  {
    name: 'request.yaml',
    text: 'campaign: cu\nselection:\n  limit: 3\n',
    value: { campaign: 'cu', selection: { limit: 3 } },
  },
  { name: 'request.yml', text: 'campaign: cu\n', value: { campaign: 'cu' } },
  {
    name: 'trainer.txt',
    text: '{"optimizer": {"maxIterations": 9}}',
    value: { optimizer: { maxIterations: 9 } },
  },
  { name: 'empty.yaml', text: '', value: {} },
  { name: 'list.yaml', text: '- a\n- b\n', value: ['a', 'b'] },
])('$name is read as JSON or YAML by its name', async ({ name, text, value }) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  await expect(readRequestFile('request', file)).resolves.toEqual(value);
});

test.each([
  { name: 'missing.json', text: undefined, message: /^cannot read --request .*missing\.json: ENOENT/ },
  { name: 'bad.json', text: '{"campaign": ', message: /^--request .*bad\.json is not valid JSON: / },
  { name: 'empty.json', text: '', message: /^--request .*empty\.json is not valid JSON: / },
  { name: 'bad.yaml', text: 'campaign: [unclosed\n', message: /^--request .*bad\.yaml is not valid YAML: / },
])('$name: the error names the flag, the file and the syntax', async ({ name, text, message }) => {
  const file = path.join(dir, name);
  if (text !== undefined) fs.writeFileSync(file, text);
  const usage = await readRequestFile('request', file).catch((e: unknown) => e);
  expect(usage).toBeInstanceOf(UsageError);
  expect((usage as Error).message).toMatch(message);
  // A command whose failures are not usage errors says what to throw instead.
  const failure = await readRequestFile('request', file, (m) => new Error(m)).catch((e: unknown) => e);
  expect(failure).not.toBeInstanceOf(UsageError);
  expect((failure as Error).message).toMatch(message);
});

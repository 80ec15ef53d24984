/**
 * The one way the CLI reads a structured file that a flag names (`start --request`, `start --trainer`,
 * `config --trainer`): JSON when the name ends in `.json`, YAML otherwise (JSON is YAML too, and an empty
 * YAML file is an empty object). Errors name the flag and the file, and say which syntax was expected.
 */
import fs from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { UsageError } from './command';

/**
 * The file's content, parsed. A file that cannot be read or parsed is thrown as `fail(message)`: a
 * UsageError by default (exit code 2), or what the command counts its failures as.
 */
export async function readRequestFile(
  flag: string,
  file: string,
  fail: (message: string) => Error = (message) => new UsageError(message),
): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    throw fail(`cannot read --${flag} ${file}: ${(err as Error).message}`);
  }
  const json = file.endsWith('.json');
  try {
    return json ? JSON.parse(text) : (parseYaml(text) ?? {});
  } catch (err) {
    throw fail(`--${flag} ${file} is not valid ${json ? 'JSON' : 'YAML'}: ${(err as Error).message}`);
  }
}

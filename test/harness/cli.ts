/** `mlip-train` run in this process against the test MongoDB, its output collected line by line. */
import { main } from '../../src/cli/main';
import { testDatabaseName, testMongoUri } from './context';

export interface CliRun {
  code: number;
  out: string[];
  stdout: string;
  stderr: string;
}

export async function runRegistryCli(args: string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    env: { MONGODB_URI: testMongoUri(), MLIP_DB: testDatabaseName() } as NodeJS.ProcessEnv,
  });
  return { code, out, stdout: out.join('\n'), stderr: err.join('\n') };
}

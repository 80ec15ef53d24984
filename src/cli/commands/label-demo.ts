/**
 * `mlip-train label-demo`: the mocked DFT step of an active-learning loop (src/demo labels; this file reads
 * the flags and the ids). Labels candidate structures by id with the same stand-in for DFT as `seed-demo`
 * and inserts them as completed calculations; idempotent, and all or nothing.
 */
import fs from 'node:fs';
import { loadEnv } from '../../config';
import { isLabellerName, labelDemo, labelDemoRefusal, LABELLERS } from '../../demo';
import { intFlag, parseCommandArgs } from '../args';
import { ExitCode, UsageError, type CliCommand, type CliIo } from '../command';

const usage = `Usage: mlip-train label-demo --campaign NAME --generation G [options] ID...

The mocked DFT step between active-learning rounds: labels the given candidate structures (ids in the
'candidates' collection, e.g. the ids a scoreCandidates run selected) with a demo labeller and inserts
them into 'calculations' as completed calculations of campaign NAME and generation G. A calculation's
id is its candidate's id, so running the same command twice inserts nothing the second time.

Options:
  --campaign NAME     campaign the labelled calculations join (required)
  --generation G      active-learning generation to record (required)
  --labeller NAME     emt|kumagai-si|erhart-albe-sic (default: emt), as in seed-demo
  --ids-file FILE     read ids from FILE (one per line, or a JSON array) as well as from the arguments
  --json              print the result as JSON

Environment: MONGODB_URI, MLIP_DB, MLIP_PYTHON.
Exit codes: 0 labelled, 1 failed (unknown ids, a structure the labeller cannot label), 2 usage.`;

/** Ids from the arguments and an optional file (JSON array or one per line), deduplicated, in order. */
export function candidateIds(positional: string[], fileText?: string): string[] {
  let fromFile: string[] = [];
  if (fileText !== undefined) {
    const trimmed = fileText.trim();
    if (trimmed.startsWith('[')) {
      const parsed: unknown = JSON.parse(trimmed);
      if (!Array.isArray(parsed) || parsed.some((v) => typeof v !== 'string'))
        throw new UsageError('--ids-file: a JSON file must hold an array of id strings');
      fromFile = parsed as string[];
    } else fromFile = trimmed.split(/\r?\n/);
  }
  return [...new Set([...positional, ...fromFile].map((s) => s.trim()).filter(Boolean))];
}

export const labelDemoCommand: CliCommand = {
  name: 'label-demo',
  summary: 'label selected candidates with the demo labeller into calculations (mocked DFT between rounds)',
  usage,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        campaign: { type: 'string' },
        generation: { type: 'string' },
        labeller: { type: 'string' },
        'ids-file': { type: 'string' },
        json: { type: 'boolean' },
      },
      true,
    );
    const campaign = values.campaign?.trim();
    if (!campaign) throw new UsageError('--campaign is required');
    const generation = intFlag('generation', values.generation);
    if (generation === undefined || generation < 0)
      throw new UsageError(`--generation is required: an integer >= 0, got ${values.generation}`);
    const labeller = values.labeller ?? 'emt';
    if (!isLabellerName(labeller))
      throw new UsageError(
        `--labeller must be one of ${Object.keys(LABELLERS).join(', ')}, got '${labeller}'`,
      );
    let fileText: string | undefined;
    if (values['ids-file'] !== undefined) {
      try {
        fileText = fs.readFileSync(values['ids-file'], 'utf8');
      } catch (err) {
        throw new UsageError(`--ids-file: cannot read ${values['ids-file']}: ${(err as Error).message}`);
      }
    }
    const ids = candidateIds(positionals, fileText);
    if (ids.length === 0) throw new UsageError('give at least one candidate id (arguments or --ids-file)');
    const env = loadEnv(io.env);

    const options = { campaign, generation, labeller, ids };
    const result = await labelDemo(options, env);
    if (!result.ok) {
      io.err(`mlip-train label-demo: ${labelDemoRefusal(result, options, env.MLIP_DB)}`);
      return ExitCode.Failed;
    }
    const { labelled, alreadyPresent } = result;
    if (values.json) io.out(JSON.stringify({ campaign, generation, labelled, alreadyPresent }));
    else
      io.out(
        `labelled ${labelled} candidate(s) with ${LABELLERS[labeller].name} into campaign '${campaign}', generation ${generation}` +
          (alreadyPresent ? `; ${alreadyPresent} already present, left as they were` : ''),
      );
    return ExitCode.Ok;
  },
};

import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
/**
 * Search attributes the trainPotential workflow keeps current, so trainings can be found and filtered
 * in the Web UI and with `temporal workflow list --query`. The dev server and the test servers register
 * exactly these (src/dev-services, for temporal-dev.sh, the tests and the benches); a production namespace needs them added once:
 *   temporal operator search-attribute create --name MlipCampaign --type Keyword  (and so on)
 */
export const SEARCH_ATTRIBUTES = {
  MlipCampaign: 'Keyword',
  MlipPhase: 'Keyword',
  MlipDatasetSize: 'Int',
} as const;

/** `--search-attribute NAME=TYPE` arguments for `temporal server start-dev`. */
export function searchAttributeFlags(): string[] {
  return Object.entries(SEARCH_ATTRIBUTES).flatMap(([name, type]) => [
    '--search-attribute',
    `${name}=${type}`,
  ]);
}

/** Typed keys for upsertSearchAttributes in workflow code. */
export const MlipCampaign = defineSearchAttributeKey('MlipCampaign', SearchAttributeType.KEYWORD);
export const MlipPhase = defineSearchAttributeKey('MlipPhase', SearchAttributeType.KEYWORD);
export const MlipDatasetSize = defineSearchAttributeKey('MlipDatasetSize', SearchAttributeType.INT);

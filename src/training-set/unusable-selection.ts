/**
 * The two ways a selection cannot be trained on, as the failures the workflow reports: documents that break
 * the contract under invalidRecords "fail", and nothing left to train on.
 */
import { FailureType, nonRetryable, type Selection } from '../api';
import type { SelectionTally } from './selection-tally';

export function invalidTrainingDataFailure(campaign: string, tally: SelectionTally) {
  const { invalid, invalidCount } = tally;
  const lines = invalid.map((i) => `  ${i.id}: ${i.reason}`);
  const more = invalidCount > invalid.length ? `\n  ... and ${invalidCount - invalid.length} more` : '';
  return nonRetryable(
    FailureType.InvalidTrainingData,
    `${invalidCount} calculation document(s) of campaign "${campaign}" break contract v1 ` +
      `(invalidRecords: "fail"; use "skip" to train without them):\n${lines.join('\n')}${more}`,
    { campaign, invalidCount, invalid },
  );
}

/** `perStatus`: the campaign's documents per status, which tells whether any calculation is complete. */
export function emptyTrainingSetFailure(
  campaign: string,
  selection: Selection,
  tally: SelectionTally,
  perStatus: Record<string, number>,
) {
  const { excludedByReason, invalidCount, documentsRead } = tally;
  const statusText = Object.keys(perStatus).length
    ? Object.entries(perStatus)
        .map(([s, n]) => `${s}: ${n}`)
        .join(', ')
    : 'none at all';
  const leftOut = [
    excludedByReason.elements && `${excludedByReason.elements} excluded by elements`,
    excludedByReason.maxForce && `${excludedByReason.maxForce} excluded by maxForce`,
    invalidCount && `${invalidCount} invalid skipped`,
  ].filter(Boolean);
  return nonRetryable(
    FailureType.EmptyTrainingSet,
    `no usable completed calculation for campaign "${campaign}" with selection ${JSON.stringify(selection)}` +
      `${leftOut.length ? ` (${leftOut.join(', ')})` : ''}; the campaign's documents per status: ${statusText}`,
    { campaign, perStatus, excludedByReason, skippedInvalid: invalidCount, documentsRead },
  );
}

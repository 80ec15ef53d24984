/**
 * Candidate structures to score (the `candidates` collection) and the scoring's pure parts: band counts,
 * the top K, the committee's disagreement summary. (Demo candidates are src/demo's.)
 */
export * from './candidate-query';
export * from './candidate-schema';
export * from './scoring';

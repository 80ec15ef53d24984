/**
 * Candidate structures to score (the `candidates` collection) and the scoring's pure parts: band counts,
 * the top K, the committee's disagreement summary; demo candidates for the mocked DFT factory.
 */
export * from './candidate-query';
export * from './candidate-schema';
export * from './demo-candidates';
export * from './scoring';

/**
 * Published potentials: their registry documents in the `potentials` collection (versions, lineage,
 * files and hashes).
 */
export * from './potentials';

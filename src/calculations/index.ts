/**
 * The calculations contract (v1): the document the DFT factory writes, validated record by record, and
 * how the campaign's documents are read from MongoDB.
 */
export * from './calculation-query';
export * from './calculation-schema';

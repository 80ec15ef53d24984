// Every workflow the worker registers. Workflow code only: deterministic, activities imported as types.
export { trainPotential } from './train-potential';
export { activeLearningRound } from './active-learning-round';
export { trainCommittee } from './train-committee';
export { scoreCandidates } from './score-candidates';
export { exploreStructures } from './explore-structures';

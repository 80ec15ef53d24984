/**
 * Demo support beside the product: stand-ins for DFT (the factories of python/mlip_autopipe/demo/), the demo
 * campaigns and candidates they seed, the labelling between rounds, and the active-learning loop closed on
 * them. The mlip-train demo commands, benches and tests use it; product code never does (lint holds it), so
 * nothing a training runs on depends on a demo.
 */
export * from './candidates';
export * from './label';
export * from './labellers';
export * from './loop';
export * from './seed';

#!/usr/bin/env node
// The mlip-train CLI. The package runs from its TypeScript sources (tsx compiles them on load).
require('tsx/cjs');
require('../src/cli/main')
  .main(process.argv.slice(2))
  .then(
    (code) => process.exit(code),
    (err) => {
      console.error(`mlip-train: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );

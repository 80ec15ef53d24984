/**
 * The README is what a new user scans first: what the trainer is, the two commands, how to start and
 * follow a training, and where the rest is. The rest lives in docs/, so the README stays short.
 */
import fs from 'node:fs';
import path from 'node:path';

const README_MAX_BYTES = 15 * 1024;

test('the README stays within 15 KB, the rest living in docs/', () => {
  const bytes = fs.statSync(path.join(__dirname, '..', '..', 'README.md')).size;
  expect(bytes).toBeLessThanOrEqual(README_MAX_BYTES);
});

// Runs before every test file. Makes fast-check runs replayable from the environment:
//   FC_SEED=<seed> [FC_PATH=<path>] npx vitest run <file> -t '<property name>'
// fast-check prints both values with every counterexample it reports.
import { configureGlobal, readConfigureGlobal } from 'fast-check';

const seed = process.env['FC_SEED'];
if (seed !== undefined && seed !== '') {
  const value = Number(seed);
  if (!Number.isSafeInteger(value)) {
    throw new TypeError(`FC_SEED must be an integer, got ${JSON.stringify(seed)}`);
  }
  const path = process.env['FC_PATH'];
  configureGlobal({
    ...readConfigureGlobal(),
    seed: value,
    ...(path !== undefined && path !== '' ? { path } : {}),
  });
}

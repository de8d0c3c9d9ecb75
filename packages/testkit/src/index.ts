/**
 * @switchboard/testkit — race testing for Switchboard: a deterministic simulation world that
 * runs the real runtime and the real channel manager, explored by strategies, driven by
 * fast-check, with shrinking, exact replay and checkers.
 */
export { runScenario } from './world.js';
export type { RunOptions, RunResult, RunView, WorldOptions } from './world.js';
export { channelConnection } from './connection.js';
export type { ConnectionAdapter, ConnectionStart } from './connection.js';
export { formatReplayLine, parseReplayLine } from './scenario.js';
export type { Deviation, Fault, Op, Scenario, Trigger } from './scenario.js';
export { DecisionSource, defaultIndex } from './decision-source.js';
export {
  STRATEGY_NAMES,
  downsFirst,
  overlap,
  pct,
  portfolio,
  sparse,
  strategyByName,
  tape,
  tracePointFaults,
  uniform,
} from './strategies.js';
export type { BiasOptions, ExplorationStrategy, PctOptions, SparseOptions } from './strategies.js';
export { MIX_NAMES, mixArb, mixPlanArb } from './mixes.js';
export type { MixName, MixOptions, Plan } from './mixes.js';
export { History } from './history.js';
export type { HistoryOp } from './history.js';
export { checkHistory, checkLinearizable } from './linearizability.js';
export { decisionTapeArb, faultsArb, workloadArb, FAULT_POINTS } from './arbitraries.js';
export type { FaultOptions, WorkloadOptions } from './arbitraries.js';
export { shrinkScenario, violationKind } from './shrink.js';
export type { ShrinkOptions, ShrinkResult } from './shrink.js';
export { findRace, formatRace } from './find-race.js';
export type { FindRaceOptions, FindRaceResult, RaceReport } from './find-race.js';
export { always, causality, sometimes, strictCausality } from './checkers.js';
export type { Check, Sometimes } from './checkers.js';
export { raceTest, replayRace } from './race-test.js';
export type { RaceTestOptions } from './race-test.js';
export { guardGlobals } from './determinism.js';
export type { GlobalsGuard } from './determinism.js';
export { InvalidKitOption, InvalidReplayLine, RaceFound, ReplayNotExact } from './errors.js';

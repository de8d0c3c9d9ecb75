/**
 * Shared fixtures of the runtime's tests: a deterministic world (one seeded scheduler serving as
 * Dispatcher and Clock, plus seeded Entropy) and small machines that record what they receive.
 */
import { createMachine } from 'xstate';
import type { AnyStateMachine } from 'xstate';
import { createDeterministicScheduler, createRuntime, createSeededEntropy } from '@switchboard/runtime';
import type {
  DeterministicScheduler,
  DeterministicSchedulerOptions,
  Runtime,
  RuntimeOptions,
} from '@switchboard/runtime';

/** A runtime on a manually driven deterministic scheduler. */
export interface World {
  readonly sched: DeterministicScheduler;
  readonly rt: Runtime;
}

/**
 * Builds a runtime whose dispatcher and clock are one deterministic scheduler (manual by default:
 * the test drives it with `runUntilIdle`, `step` and `advance`).
 */
export function deterministicWorld(
  seed = 1,
  schedulerOptions: DeterministicSchedulerOptions = {},
  runtimeOptions: RuntimeOptions = {},
): World {
  const sched = createDeterministicScheduler({ seed, auto: false, ...schedulerOptions });
  const rt = createRuntime({
    ...runtimeOptions,
    dispatcher: sched,
    clock: sched,
    entropy: createSeededEntropy(seed),
  });
  return { sched, rt };
}

/** An event as a recording machine stores it. */
export interface Received {
  readonly type: string;
  readonly [key: string]: unknown;
}

/** A machine that appends every event it receives to `log` and never changes state. */
export function recorder(log: Received[]): AnyStateMachine {
  return createMachine({
    on: { '*': { actions: ({ event }) => void log.push(event as Received) } },
  });
}

/** A machine that ignores every event (a process that just stays alive). */
export const idle: AnyStateMachine = createMachine({});

/** Resolves with the rejection reason of `promise`; fails the test if it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

/** Lets pending microtasks (promise callbacks) run. */
export async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

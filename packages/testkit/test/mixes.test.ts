import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MIX_NAMES, mixArb, mixPlanArb } from '../src/mixes.js';
import type { Plan } from '../src/mixes.js';

const connections = (plan: Plan): Set<string> =>
  new Set(plan.workload.flatMap((op) => (op.kind === 'connect' ? [`c${op.conn}`] : [])));

describe('workload mixes', () => {
  it('handover: resumes of one client id only, so the conservation check stays on', () => {
    fc.assert(
      fc.property(mixPlanArb('handover', { workload: { clientIds: ['x', 'y'] } }), (plan) => {
        const connects = plan.workload.filter((op) => op.kind === 'connect');
        expect(connects.length).toBeGreaterThanOrEqual(2);
        for (const op of plan.workload) {
          expect(op.kind === 'connect' || op.kind === 'publish').toBe(true);
          if (op.kind === 'connect') expect(op).toMatchObject({ clientId: 'x', clean: false });
        }
      }),
      { numRuns: 100 },
    );
  });

  it('every fault names a connection of its own workload, at a trace point of its client id', () => {
    for (const name of MIX_NAMES) {
      fc.assert(
        fc.property(mixPlanArb(name), (plan) => {
          const conns = connections(plan);
          for (const fault of plan.faults) {
            if (fault.kind !== 'publish') expect(conns.has(fault.target)).toBe(true);
          }
        }),
        { numRuns: 60 },
      );
    }
  });

  it('stuck: the first channel hangs at the stepdown the second open asks for', () => {
    fc.assert(
      fc.property(mixPlanArb('stuck'), (plan) => {
        const second = plan.workload.find((op) => op.kind === 'connect' && op.conn === 2);
        const hang = plan.faults[0];
        expect(hang).toMatchObject({ kind: 'hang', target: 'c1' });
        const clean = second?.kind === 'connect' && second.clean;
        expect(hang?.at?.point).toBe(clean ? 'cm.discard.called' : 'cm.takeover.begin.called');
      }),
      { numRuns: 60 },
    );
  });

  it("respects the user's limits: operation kinds, sockets and the number of faults", () => {
    const options = {
      workload: { clientIds: ['a'], kinds: ['connect', 'publish'] as const, socket: true },
      faults: { maxFaults: 0 },
    };
    fc.assert(
      fc.property(
        mixArb(MIX_NAMES, { ...options, workload: { ...options.workload, kinds: ['connect', 'publish'] } }),
        (plan) => {
          expect(plan.faults).toEqual([]);
          for (const op of plan.workload) {
            expect(['connect', 'publish']).toContain(op.kind);
            if (op.kind === 'connect') expect(op).toMatchObject({ clientId: 'a', socket: true });
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

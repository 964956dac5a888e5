/**
 * Where the wall time of one invocation goes: a middleware at finalizeRequest/low (just
 * outside the simulated region's deserialize-step answer, inside the SDK's retry loop: one
 * interval per attempt) that records, per attempt, when the request left our code and when
 * the answer came back. Intervals are merged (concurrent calls are counted once), so
 * "time inside the simulated region" is the wall time during which at least one simulated
 * call was in flight, and the same for the state table (dynalite).
 */
import { performance } from 'node:perf_hooks';
import type { Pluggable } from '@smithy/types';
import { attemptNamer, isMutatingCall } from '../adapters/aws/clients';

/** Union of in-flight intervals of one kind of call. */
class Busy {
  private inFlight = 0;
  private since = 0;
  private total = 0;
  /** Spells of waiting: a call that starts while none is in flight opens one (concurrent calls share it). */
  spells = 0;
  enter(t: number): void {
    if (this.inFlight++ === 0) {
      this.since = t;
      this.spells += 1;
    }
  }
  leave(t: number): void {
    if (--this.inFlight === 0) this.total += t - this.since;
  }
  /** Busy time up to `t` (a call still in flight counts up to t). */
  at(t: number): number {
    return this.total + (this.inFlight > 0 ? t - this.since : 0);
  }
}

export interface FirstMutation {
  /** performance.now() when the first attempt of the first mutating call was handed to the transport. */
  at: number;
  service: string;
  operation: string;
  /** Busy time inside the simulated region / dynalite / either, before that moment. */
  simMs: number;
  dynamoMs: number;
  anyMs: number;
  /** Attempts made before it (simulated region / state table). */
  simCallsBefore: number;
  dynamoCallsBefore: number;
  /** State-table round trips before it: spells of waiting on the table (calls in flight together count once). */
  dynamoRoundTripsBefore: number;
}

export class CallTimer {
  private sim = new Busy();
  private dynamo = new Busy();
  private any = new Busy();
  first?: FirstMutation;
  simCalls = 0;
  dynamoCalls = 0;
  retries = 0;
  /** Attempts of calls isMutatingCall counts as infrastructure changes (a storm must make none in the intakes). */
  mutatingCalls = 0;

  /** Forget everything (the start of one measured invocation). */
  reset(): void {
    this.sim = new Busy();
    this.dynamo = new Busy();
    this.any = new Busy();
    this.first = undefined;
    this.simCalls = 0;
    this.dynamoCalls = 0;
    this.retries = 0;
    this.mutatingCalls = 0;
  }

  /** `mutating(service, operation)`: which calls count as "the first mutating call" (default isMutatingCall). */
  plugin(mutating: (service: string, operation: string) => boolean = isMutatingCall): Pluggable<any, any> {
    return {
      applyToStack: (stack) => {
        const nameAttempt = attemptNamer();
        stack.add(
          (next, context) => async (args) => {
            const { service, operation, attempt } = nameAttempt(context, args.input);
            if (attempt > 1) this.retries += 1;
            const isDynamo = service === 'DynamoDB';
            const kind = isDynamo ? this.dynamo : this.sim;
            const start = performance.now();
            if (!this.first && mutating(service, operation)) {
              this.first = {
                at: start,
                service,
                operation,
                simMs: this.sim.at(start),
                dynamoMs: this.dynamo.at(start),
                anyMs: this.any.at(start),
                simCallsBefore: this.simCalls,
                dynamoCallsBefore: this.dynamoCalls,
                dynamoRoundTripsBefore: this.dynamo.spells,
              };
            }
            if (isDynamo) this.dynamoCalls += 1;
            else this.simCalls += 1;
            if (isMutatingCall(service, operation)) this.mutatingCalls += 1;
            kind.enter(start);
            this.any.enter(start);
            try {
              return await next(args);
            } finally {
              const end = performance.now();
              kind.leave(end);
              this.any.leave(end);
            }
          },
          { step: 'finalizeRequest', priority: 'low', name: 'benchCallTimer' },
        );
      },
    };
  }
}

/**
 * The shared intake pipeline on its own (runIntake): what every runbook's intake gets from it,
 * with a real state table (dynalite) and the simulated region behind the runtime.
 */
import sample from '../events/samples/ecs-deployment-failed.json';
import alarm from '../events/samples/alarm-unrelated.json';
import { defaultConfig } from '../domain/config';
import { openIncident } from '../domain/incident';
import type { DecisionContext, IntakePlan } from '../domain/intake-plan';
import type { Page } from '../domain/paging';
import type { Pager } from '../domain/ports';
import { SimClock, SimWorld, baselineWorld, mergeWorld, simClientSetup } from '../test/simulated-region';
import { freshStateTable } from '../test/support/state-table';
import { createRuntime } from '../adapters/runtime/create-runtime';
import type { Runtime } from '../adapters/runtime/runtime-types';
import { runIntake, type RunbookIntake } from './intake';

async function runtime(starter: (name: string) => Promise<'started' | 'joined'> = async () => 'started'): Promise<{ rt: Runtime; pages: Page[] }> {
  const clock = new SimClock(Date.parse(sample.time) + 5_000);
  // The simulated world starts when the sample was sent.
  const world = SimWorld.create(mergeWorld(baselineWorld(), { start: sample.time }), clock);
  const table = await freshStateTable('pipeline-intake');
  const pages: Page[] = [];
  const rt = createRuntime({
    config: defaultConfig,
    clock,
    tableName: table.tableName,
    dynamoEndpoint: table.endpoint,
    clientSetup: simClientSetup(world),
    workflowStarter: async (_runbook, name) => starter(name),
    wrapPager: (inner: Pager): Pager => ({ send: async (page) => (pages.push(page), inner.send(page)) }),
  });
  return { rt, pages };
}

/** A runbook whose fact reading fails `failures` times, then it acts; it counts what it handled. */
function flakyRunbook(failures: number, withFailurePage: boolean): RunbookIntake<{ id: string }, { id: string }, { id: string }> & { handled: number } {
  let left = failures;
  const definition = {
    runbook: 'rollback-deployment' as const,
    handled: 0,
    admit: (event: { id: string; kind: string }) =>
      event.kind === 'ecs-deployment'
        ? { kind: 'admit' as const, admitted: { id: event.id }, claim: { key: `test#${event.id}`, duplicate: { status: 'ignored' as const, reason: `duplicate ${event.id}` } } }
        : { kind: 'ignore' as const, result: { status: 'ignored' as const, reason: `not ours: ${event.kind}` } },
    async readFacts(admitted: { id: string }) {
      if (left-- > 0) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      return admitted;
    },
    decide: (_a: { id: string }, facts: { id: string }, ctx: DecisionContext): IntakePlan<{ id: string }> => ({
      kind: 'act',
      act: facts,
      record: { kind: 'continue', init: { key: `rollback-deployment-${facts.id}`, runbook: 'rollback-deployment', title: 'test', severity: 'P2', detectedAt: ctx.now }, loaded: undefined },
      entries: [{ kind: 'event', runbook: 'rollback-deployment', summary: `event ${facts.id}` }],
    }),
    async act() {
      definition.handled++;
      return { status: 'acted' as const };
    },
    ...(withFailurePage
      ? {
          failurePage: (_a: { id: string }, _e: unknown, r: Runtime, error: string): Page => ({
            incidentKey: 'rollback-deployment-test',
            runbook: 'rollback-deployment',
            resource: 'service',
            action: 'trigger',
            severity: 'P2',
            at: r.clock.now(),
            title: `intake failed: ${error}`,
            diagnosis: [],
            done: [],
            refused: [],
            nextStep: 'by hand',
          }),
        }
      : {}),
  };
  return definition;
}

describe('runIntake, the one intake pipeline', () => {
  it('rejects malformed input with the field, before any runbook code runs', async () => {
    const { rt } = await runtime();
    const runbook = flakyRunbook(0, false);
    const result = await runIntake(runbook, { ...sample, detail: { ...sample.detail, eventName: 42 } }, rt);
    expect(result.status).toBe('rejected');
    expect(result).toEqual(expect.objectContaining({ field: expect.stringContaining('detail'), reason: expect.any(String) }));
    expect(runbook.handled).toBe(0);
  });

  it('handles an event once: a duplicate delivery is answered by the claim, not handled again', async () => {
    const { rt } = await runtime();
    const runbook = flakyRunbook(0, false);
    expect((await runIntake(runbook, sample, rt)).status).toBe('acted');
    expect(await runIntake(runbook, sample, rt)).toEqual({ status: 'ignored', reason: `duplicate ${sample.id}` });
    expect(runbook.handled).toBe(1);
  });

  it('gives the claim back when handling fails, so the retry of the same event is handled', async () => {
    const { rt } = await runtime();
    const runbook = flakyRunbook(1, false);
    await expect(runIntake(runbook, sample, rt)).rejects.toThrow('Rate exceeded');
    expect((await runIntake(runbook, sample, rt)).status).toBe('acted');
    expect(runbook.handled).toBe(1);
  });

  it("pages the runbook's failure page before rethrowing, and none when the runbook has none", async () => {
    const paging = await runtime();
    await expect(runIntake(flakyRunbook(1, true), sample, paging.rt)).rejects.toThrow('Rate exceeded');
    expect(paging.pages.map((p) => p.title)).toEqual(['intake failed: ThrottlingException: Rate exceeded']);
    const silent = await runtime();
    await expect(runIntake(flakyRunbook(1, false), sample, silent.rt)).rejects.toThrow('Rate exceeded');
    expect(silent.pages).toEqual([]);
  });

  it('answers an event the runbook does not admit with its reason, and claims nothing', async () => {
    const { rt } = await runtime();
    const runbook = flakyRunbook(0, false);
    // Sent when the ECS sample was: fresh, parsed, and not this runbook's.
    const result = await runIntake(runbook, { ...alarm, time: sample.time }, rt);
    expect(result).toEqual({ status: 'ignored', reason: 'not ours: alarm' });
    expect(runbook.handled).toBe(0);
    expect(await rt.store.claimOnce(`test#${alarm.id}`, rt.clock.now(), 60)).toBe(true);
  });

  describe('carrying a plan out', () => {
    const init = (now: number) => ({ key: 'rollback-deployment-plan-test', runbook: 'rollback-deployment' as const, title: 'plan test', severity: 'P1' as const, detectedAt: now });
    /** A runbook whose decision is the plan given: the pipeline's carry-out on its own. */
    function planned(plan: (ctx: DecisionContext) => IntakePlan<never>): RunbookIntake<{ id: string }, undefined> {
      return {
        runbook: 'rollback-deployment',
        admit: (event) => ({ kind: 'admit', admitted: { id: event.id } }),
        readFacts: async () => undefined,
        decide: (_a, _f, ctx) => plan(ctx),
      };
    }

    it('start: saves the new record before the workflow starts, and answers started', async () => {
      let savedAtStart: unknown;
      const { rt } = await runtime(async () => ((savedAtStart = await rt.store.loadIncident('rollback-deployment-plan-test')), 'started'));
      const plan = planned((ctx) => ({ kind: 'start', record: { kind: 'continue', init: init(ctx.now), loaded: undefined }, entries: [{ kind: 'note', runbook: 'rollback-deployment', summary: 'starting' }], joining: false, workflow: { executionName: 'exec-1', input: {} } }));
      expect(await runIntake(plan, sample, rt)).toEqual({ status: 'started-workflow', incidentKey: 'rollback-deployment-plan-test' });
      expect(savedAtStart).toEqual(expect.objectContaining({ key: 'rollback-deployment-plan-test', timeline: [expect.objectContaining({ summary: 'starting' })] }));
    });

    it('start while joining: the running workflow owns the record, the event is not saved over it', async () => {
      const { rt } = await runtime(async () => 'joined');
      const running = { ...openIncident(init(rt.clock.now())), timeline: [{ at: rt.clock.now(), kind: 'note' as const, summary: 'the workflow wrote this' }] };
      await rt.store.saveIncident(running);
      const plan = planned((ctx) => ({ kind: 'start', record: { kind: 'continue', init: init(ctx.now), loaded: running }, entries: [{ kind: 'event', runbook: 'rollback-deployment', summary: 'a second trigger' }], joining: true, workflow: { executionName: 'exec-1', input: {} } }));
      expect((await runIntake(plan, sample, rt)).status).toBe('joined-workflow');
      expect((await rt.store.loadIncident(running.key))?.timeline.map((e) => e.summary)).toEqual(['the workflow wrote this']);
    });

    it('start that fails: pages the plan\'s start-failure page with the error, then rethrows', async () => {
      const { rt, pages } = await runtime(async () => {
        throw Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' });
      });
      const failurePage = { incidentKey: 'rollback-deployment-plan-test', runbook: 'rollback-deployment' as const, resource: 'service', action: 'trigger' as const, severity: 'P2' as const, title: 'could not start', diagnosis: ['seen'], done: [], refused: [], nextStep: 'by hand' };
      const plan = planned((ctx) => ({ kind: 'start', record: { kind: 'new-episode', init: init(ctx.now) }, entries: [], joining: false, workflow: { executionName: 'exec-1', input: {} }, startFailurePage: failurePage }));
      await expect(runIntake(plan, sample, rt)).rejects.toThrow('Rate exceeded');
      expect(pages.map((p) => [p.title, p.diagnosis])).toEqual([['could not start', ['seen', 'start failed: TooManyRequestsException: Rate exceeded']]]);
    });

    it('page: records the entries, sets the patch and refusals, pages, and saves', async () => {
      const { rt, pages } = await runtime();
      const page = { incidentKey: 'rollback-deployment-plan-test', runbook: 'rollback-deployment' as const, resource: 'service', action: 'trigger' as const, severity: 'P2' as const, title: 'refused', diagnosis: [], done: [], refused: [], nextStep: 'look' };
      const plan = planned((ctx) => ({ kind: 'page', record: { kind: 'new-episode', init: init(ctx.now) }, entries: [{ kind: 'guardrail', runbook: 'rollback-deployment', summary: 'X: REFUSE' }], patch: { rootCauseGuess: 'because' }, refusals: ['X refused'], page, reason: 'because' }));
      expect(await runIntake(plan, sample, rt)).toEqual({ status: 'paged', incidentKey: 'rollback-deployment-plan-test', reason: 'because' });
      expect(pages.map((p) => p.title)).toEqual(['refused']);
      const saved = await rt.store.loadIncident('rollback-deployment-plan-test');
      expect(saved).toEqual(expect.objectContaining({ status: 'escalated', rootCauseGuess: 'because', refusals: ['X refused'] }));
      expect(saved?.timeline.map((e) => e.kind)).toEqual(expect.arrayContaining(['guardrail', 'page']));
    });

    it('page that refuses, with no refusals of its own: the record lists what the page refused', async () => {
      const { rt } = await runtime();
      const page = { incidentKey: 'rollback-deployment-plan-test', runbook: 'rollback-deployment' as const, resource: 'service', action: 'trigger' as const, severity: 'P2' as const, title: 'refused', diagnosis: [], done: [], refused: [{ action: 'restart', guardrail: 'CodeDeployControlledService' as const, reason: 'blue/green' }], nextStep: 'look' };
      await runIntake(planned((ctx) => ({ kind: 'page', record: { kind: 'new-episode', init: init(ctx.now) }, entries: [], page })), sample, rt);
      expect((await rt.store.loadIncident('rollback-deployment-plan-test'))?.refusals).toEqual(['restart: blue/green']);
    });

    it('ignore: writes no record and sends no page', async () => {
      const { rt, pages } = await runtime();
      const plan = planned(() => ({ kind: 'ignore', reason: 'nothing to do', incidentKey: 'rollback-deployment-plan-test' }));
      expect(await runIntake(plan, sample, rt)).toEqual({ status: 'ignored', reason: 'nothing to do', incidentKey: 'rollback-deployment-plan-test' });
      expect(pages).toEqual([]);
      expect(await rt.store.loadIncident('rollback-deployment-plan-test')).toBeUndefined();
    });
  });
});

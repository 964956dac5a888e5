import type { Page } from '../domain/paging';
import { evaluate, timeToMitigateSeconds } from './expectations';
import { prepareScenario } from './load';
import type { CallRecord, DrillEntry, ScenarioRun } from './run-types';

const T0 = Date.parse('2026-01-15T03:00:00.000Z');

function call(operation: string, extra: Partial<CallRecord> = {}): CallRecord {
  return { at: T0, service: 'ECS', operation, region: 'us-east-1', attempt: 1, mutating: !operation.startsWith('Describe'), ...extra };
}

function page(extra: Partial<Page> = {}): Page {
  return {
    incidentKey: 'scale-ecs-regami-service',
    action: 'trigger',
    severity: 'P2',
    runbook: 'scale-ecs',
    title: 'Scale-out of regami-service refused: kill switch is ON',
    resource: 'regami-cluster/regami-service',
    at: T0,
    diagnosis: ['CPU 93% > 80%'],
    done: [],
    refused: [{ action: 'scale out 2 -> 4', guardrail: 'KillSwitch', reason: 'kill switch is ON' }],
    nextStep: 'aws ecs update-service --desired-count 4',
    ...extra,
  };
}

/** A synthetic run: no engine, only what expectations read. */
function syntheticRun(parts: Partial<ScenarioRun> = {}): ScenarioRun {
  const prepared = prepareScenario(
    { name: 'synthetic', description: 'synthetic', runbooks: ['scale-ecs'], timeline: [{ at: 0, type: 'controls', controls: { killSwitch: true } }], expectations: { noPages: true } },
    '<synthetic>',
  );
  return { prepared, entries: [], calls: [], pages: [], snsMessages: [], intakes: [], incidents: [], workflows: { started: 0, joined: 0 }, runErrors: [], endedAt: T0, wallMs: 1, ...parts };
}

const refusal: DrillEntry = { at: T0, kind: 'guardrail', summary: 'KillSwitch: REFUSE - kill switch is ON', verdict: { guardrail: 'KillSwitch', pass: false, reason: 'kill switch is ON' } };

describe('expectations', () => {
  const run = syntheticRun({
    calls: [call('DescribeServices'), call('UpdateService', { error: 'ThrottlingException' }), call('UpdateService', { attempt: 2 })],
    pages: [{ at: T0, page: page() }],
    entries: [refusal],
  });

  it('passes when everything expected happened', () => {
    expect(
      evaluate(
        {
          mustCall: [{ service: 'ECS', operation: 'UpdateService', times: 1 }, { service: 'ECS' }],
          mustNotCall: [{ service: 'RDS' }, { service: 'ECS', operation: 'UpdateService', region: 'us-west-2' }],
          pages: [{ severity: 'P2', action: 'trigger', titleIncludes: 'refused', messageIncludes: 'KillSwitch' }],
          maxMutations: 1,
          guardrailRefusals: ['KillSwitch'],
          timelineIncludes: ['KillSwitch: REFUSE'],
        },
        run,
      ),
    ).toEqual([]);
  });

  it('mustCall counts successful calls only; mustNotCall counts every attempt', () => {
    expect(evaluate({ mustCall: [{ service: 'ECS', operation: 'UpdateService', times: 2 }], mustNotCall: [{ service: 'ECS', operation: 'UpdateService' }] }, run)).toEqual([
      'mustCall ECS.UpdateService: expected exactly 2, got 1',
      'mustNotCall ECS.UpdateService: called 2 time(s) (ECS.UpdateService)',
    ]);
    expect(evaluate({ mustCall: [{ service: 'RDS', operation: 'PromoteReadReplica' }] }, run)).toEqual(['mustCall RDS.PromoteReadReplica: expected at least one successful call, got 0']);
  });

  it('pages: severity, action and text must all match; noPages refuses any page', () => {
    expect(evaluate({ pages: [{ severity: 'P1' }], noPages: true }, run)).toEqual([
      'pages P1: expected at least one, got 0 (pages sent: P2 trigger "Scale-out of regami-service refused: kill switch is ON")',
      'noPages: 1 page(s) sent (P2 "Scale-out of regami-service refused: kill switch is ON")',
    ]);
    expect(evaluate({ pages: [{ action: 'resolve' }] }, run)).toHaveLength(1);
    expect(evaluate({ pages: [{ messageIncludes: 'no such text' }] }, run)).toHaveLength(1);
  });

  it('maxMutations, guardrail refusals, rejected events and workflows', () => {
    expect(evaluate({ maxMutations: 0, guardrailRefusals: ['Cooldown'], noGuardrailRefusals: true, rejectedEvents: 1, workflows: { started: 1 } }, run)).toEqual([
      'maxMutations 0: 1 mutating call(s) succeeded (ECS.UpdateService)',
      'guardrailRefusals: Cooldown never refused (refusals seen: KillSwitch)',
      'noGuardrailRefusals: KillSwitch: REFUSE - kill switch is ON',
      'rejectedEvents: expected 1, got 0',
      'workflows.started: expected 1, got 0',
    ]);
  });

  it('run errors always fail the scenario', () => {
    expect(evaluate({ maxMutations: 5 }, syntheticRun({ runErrors: ['not runnable: scale-ecs handler has no buildHandler export'] }))).toEqual([
      'not runnable: scale-ecs handler has no buildHandler export',
    ]);
  });

  it('incident status and time to mitigate', () => {
    const incident = { key: 'k', runbook: 'scale-ecs' as const, title: 't', severity: 'P3' as const, status: 'mitigated' as const, detectedAt: T0, mitigatedAt: T0 + 240_000, actionsTaken: [], refusals: [], timeline: [] };
    const mitigated = syntheticRun({ incidents: [incident], firstEventAt: T0 });
    expect(timeToMitigateSeconds(mitigated)).toBe(240);
    expect(evaluate({ incidentStatus: 'mitigated', mitigatedWithin: '5m' }, mitigated)).toEqual([]);
    expect(evaluate({ incidentStatus: { 'scale-ecs': 'resolved', 'database-failover': 'mitigated' }, mitigatedWithin: '3m' }, mitigated)).toEqual([
      'incidentStatus: incident k (scale-ecs) is mitigated, expected resolved',
      'incidentStatus: no database-failover incident was opened (expected mitigated)',
      'mitigatedWithin 3m00s: mitigated after 4m00s',
    ]);
    expect(evaluate({ incidentStatus: 'mitigated' }, syntheticRun())).toEqual(['incidentStatus: no incident was opened']);
  });
});

/**
 * Diagnosis before scaling, the deployment as the cause (issue 13 item 1: "when a deployment is
 * the cause, rollback comes before scaling"; runbook 2 "When to use: New deployment causing
 * errors or degraded performance"). Synthetic one-hour signal sets: one point per minute.
 */
import type { FiveXxSignals, Series } from '../investigation/signals';
import { deploymentCausedLoad, scalingDiagnosisVerdict, TRAFFIC_SURGE_FACTOR } from './diagnosis';

const AT = Date.UTC(2026, 0, 15, 3, 0, 0);
const MIN = 60_000;
const ALARM_AT = AT - 10 * MIN;
const DEPLOYED_AT = AT - 25 * MIN;

/** One point per minute over the hour before AT: `before` until `switchAt`, `after` from then on. */
function series(before: number, after: number, switchAt: number): Series {
  return Array.from({ length: 60 }, (_, i) => {
    const at = AT - (60 - i) * MIN;
    return { at, value: at < switchAt ? before : after };
  });
}

function signals(over: { cpu?: Series; requests?: Series; deployedAt?: number; deploymentStatus?: string } = {}): FiveXxSignals {
  const flat = (v: number): Series => series(v, v, AT);
  return {
    at: AT,
    alarm: { name: 'regami-ecs-cpu-high', stateChangedAt: ALARM_AT, reason: 'Threshold Crossed' },
    window: { from: AT - 60 * MIN, to: AT },
    fiveXx: flat(0),
    targetResponseTime: flat(0.12),
    requests: over.requests ?? flat(1200),
    cpu: over.cpu ?? series(40, 92, DEPLOYED_AT + 5 * MIN),
    memory: flat(50),
    dbConnections: flat(40),
    service: {
      desired: 2,
      running: 2,
      pending: 0,
      deployments: [
        { id: 'ecs-svc/42', status: over.deploymentStatus ?? 'PRIMARY', rolloutState: 'COMPLETED', taskDefinition: 'regami-api:42', createdAt: over.deployedAt ?? DEPLOYED_AT, updatedAt: DEPLOYED_AT + 5 * MIN, desired: 2, running: 2, failedTasks: 0 },
        { id: 'ecs-svc/41', status: 'ACTIVE', rolloutState: 'COMPLETED', taskDefinition: 'regami-api:41', createdAt: AT - 3 * 86_400_000, updatedAt: AT - 3 * 86_400_000, desired: 0, running: 0, failedTasks: 0 },
      ],
    },
    stoppedTasks: [],
    database: { id: 'regami-db-primary', status: 'available', maxConnections: 170 },
    dependencies: { s3: [], cache: [] },
    unreadable: [],
    callsMade: 9,
  } as FiveXxSignals;
}

describe('scalingDiagnosisVerdict: a deployment that made the load', () => {
  it('CPU rose after the deployment with no more traffic: refuses to scale, naming the deployment, the CPU and the traffic', () => {
    const verdict = scalingDiagnosisVerdict(signals());
    expect(verdict).toMatchObject({ guardrail: 'ScalingWouldNotHelp', pass: false, evidence: { cause: 'bad-deployment' } });
    expect(verdict.reason).toMatch(/ecs-svc\/42/);
    expect(verdict.reason).toMatch(/40 -> 9\d/);
    expect(verdict.reason).toMatch(/1200 -> 1200/);
    expect(verdict.reason).toMatch(/roll it back before adding tasks/);
  });

  it('a traffic surge after the deployment is what scaling answers: passes', () => {
    const requests = series(1200, 1200 * TRAFFIC_SURGE_FACTOR * 1.2, DEPLOYED_AT + 5 * MIN);
    expect(deploymentCausedLoad(signals({ requests }))).toEqual([]);
    expect(scalingDiagnosisVerdict(signals({ requests })).pass).toBe(true);
  });

  it('traffic up by less than the surge factor is still "no more traffic"', () => {
    const requests = series(1200, 1200 * (TRAFFIC_SURGE_FACTOR - 0.05), DEPLOYED_AT + 5 * MIN);
    expect(scalingDiagnosisVerdict(signals({ requests })).evidence).toMatchObject({ cause: 'bad-deployment' });
  });

  it('CPU already saturated before the deployment: not the deployment', () => {
    expect(deploymentCausedLoad(signals({ cpu: series(90, 92, DEPLOYED_AT) }))).toEqual([]);
  });

  it('a deployment outside the lookback, or started after the alarm began, is not the cause', () => {
    expect(deploymentCausedLoad(signals({ deployedAt: ALARM_AT - 2 * 3600_000 }))).toEqual([]);
    expect(deploymentCausedLoad(signals({ deployedAt: ALARM_AT + MIN }))).toEqual([]);
  });

  it('only the PRIMARY deployment can be the cause (an ACTIVE one is the one being replaced)', () => {
    expect(deploymentCausedLoad(signals({ deploymentStatus: 'ACTIVE' }))).toEqual([]);
  });

  it('no CPU or request readings from before the deployment: claims nothing (scaling decides as before)', () => {
    const onlyAfter = (s: Series) => s.filter((p) => p.at >= DEPLOYED_AT);
    const base = signals();
    expect(deploymentCausedLoad({ ...base, cpu: onlyAfter(base.cpu) })).toEqual([]);
    expect(deploymentCausedLoad({ ...base, requests: onlyAfter(base.requests) })).toEqual([]);
  });

  it('a down dependency still comes first', () => {
    const s = signals();
    expect(scalingDiagnosisVerdict({ ...s, database: { id: 'regami-db-primary', status: 'failed', maxConnections: 170 } }).evidence).toMatchObject({ cause: 'dependency-down' });
  });
});

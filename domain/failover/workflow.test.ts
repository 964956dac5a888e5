/**
 * The failover workflow over in-memory fakes of its ports: every branch in milliseconds.
 * (The same workflow over the simulated region and a local durable runner:
 * handlers/database-failover.test.ts.)
 */
import { defaultConfig, type AutopilotConfig } from '../config';
import type { ActionRecord, Controls } from '../guardrails';
import { openIncident, type IncidentRecord, type TimelineEntry } from '../incident';
import type { Page } from '../paging';
import type { Act, ApprovalOutcome, Workflow } from '../ports';
import { failoverScope } from './gates';
import type { DatabaseFailoverOperations } from './operations';
import type { ReplicaReading, ServiceReading } from './signals';
import { lagJudgedBefore, runDatabaseFailover, type FailoverDeps, type FailoverInput } from './workflow';

const T0 = Date.parse('2026-01-15T03:00:00Z');
const REPLICA_HOST = 'regami-db-replica.c9akciq32.us-west-2.rds.amazonaws.com';
const PRIMARY_ARN = 'arn:aws:rds:us-east-1:123456789012:db:regami-db-primary';

function cfg(over: Partial<AutopilotConfig['guardrails']['failover']> = {}): AutopilotConfig {
  return { ...defaultConfig, guardrails: { ...defaultConfig.guardrails, failover: { ...defaultConfig.guardrails.failover, ...over } } };
}

/** A small world the fake operations read and change. */
class FakeWorld {
  now = T0;
  primary = { status: 'failed', connections: 0 as number | undefined, alarm: 'ALARM' as 'ALARM' | 'OK' };
  /** Primary status per check (index = check number - 1), then `primary`. */
  primaryScript: Partial<FakeWorld['primary']>[] = [];
  primaryChecks = 0;
  replica: { status: string; source?: string; lag?: number; pending?: string[] } = { status: 'available', source: PRIMARY_ARN, lag: 3 };
  promoteReadsLeft = 0;
  /** The promotion never completes (stays 'modifying'). */
  promotionHangs = false;
  /** Replica reads so far; at read number `promotedBeforeRead` the replica is found mid-promotion (an earlier attempt promoted it). */
  replicaReads = 0;
  promotedBeforeRead: number | undefined;
  primaryDesired = 2;
  secondary = { desired: 0, running: 0, taskDefinition: 'arn:aws:ecs:us-west-2:123456789012:task-definition/regami-api:12', rollout: 'COMPLETED', readsToStable: 0 };
  registered: string[] = [];
  dns = { failover: 'SECONDARY', alias: 'regami-alb-secondary.us-west-2.elb.amazonaws.com.' };
  dnsChecksLeft = 0;
  /** At replica read number `read`, the replica (still replicating) is found in `status`. */
  replicaStatusAtRead: { read: number; status: string } | undefined;
  /** The promotion ends in this status instead of 'available'. */
  promotionEndsIn: string | undefined;
  /** The secondary's rollout ends FAILED (stop before DNS). */
  secondaryRolloutFails = false;
  /** ChangeResourceRecordSets applies, then the step fails (a timeout after the call). */
  dnsUpsertThrowsAfterApplying = false;
  /** DescribeServices of the primary-region service fails. */
  primaryServiceUnreadable = false;
  /** UpdateService of the primary-region service fails. */
  pauseThrows = false;
  healthy: (w: FakeWorld) => boolean = (w) => w.secondary.running > 0 && w.dns.failover === 'PRIMARY' && w.replica.source === undefined;
  /** The secondary stack's own health (before DNS). */
  secondaryHealthy: (w: FakeWorld) => boolean = (w) => w.secondary.running > 0 && w.replica.source === undefined;
  /** The promotion passes through 'rebooting' (as RDS does) for this many replica reads before 'available'. */
  promotionRebootReads = 0;
  /** The promotion reboots and never becomes available. */
  promotionStuckRebooting = false;
  /** After its reboot the promoted instance is 'backing-up' (no longer a replica) for this many replica reads (the backup RDS takes when the promotion turns backups on). */
  promotionBackupReads = 0;
  /** PromoteReadReplica is refused by RDS with this error name (the replica's state changed just before the call). */
  promoteRefusedWith: string | undefined;
  /**
   * The Actuator's action records (state table): written before each call, as adapters/runtime/actuator.ts
   * does, and read back through readGuardState.
   */
  ledger: ActionRecord[] = [];
  /** What the DNS data plane answers for the service name (the failover records' health checks). */
  dnsDataPlaneSecondary: boolean | undefined = undefined;
  /** ChangeResourceRecordSets fails (Route 53's control plane down). */
  dnsUpsertFails = false;
  calls: string[] = [];
}

function fakeOps(w: FakeWorld): DatabaseFailoverOperations {
  const service = (): ServiceReading => ({ region: 'us-west-2', cluster: 'c2', service: 's2', status: 'ACTIVE', desiredCount: w.secondary.desired, runningCount: w.secondary.running, taskDefinition: w.secondary.taskDefinition, rolloutState: w.secondary.rollout, deployments: 1 });
  const replica = (): ReplicaReading => {
    w.replicaReads++;
    if (w.replicaReads === w.promotedBeforeRead) {
      // An earlier attempt of the promote step called PromoteReadReplica and crashed before its
      // checkpoint: the Actuator had recorded the action before that call.
      w.ledger.push({ scope: failoverScope('regami-db-primary'), action: 'promote-replica', at: w.now - 1000, incidentKey: 'database-failover-regami-db-primary' });
      w.replica = { status: 'modifying', source: w.replica.source };
      w.promoteReadsLeft = 3;
    }
    if (w.replicaReads === w.replicaStatusAtRead?.read) w.replica = { ...w.replica, status: w.replicaStatusAtRead.status };
    if (w.promotionStuckRebooting && w.promoteReadsLeft > 0) w.replica = { ...w.replica, status: 'rebooting' };
    else if (!w.promotionHangs && w.promoteReadsLeft > 0 && --w.promoteReadsLeft === 0) w.replica = { status: w.promotionEndsIn ?? 'available' };
    else if (!w.promotionHangs && w.promoteReadsLeft > 0 && w.promoteReadsLeft <= w.promotionBackupReads) w.replica = { status: 'backing-up' };
    else if (!w.promotionHangs && w.promoteReadsLeft > 0 && w.promoteReadsLeft <= w.promotionBackupReads + w.promotionRebootReads) w.replica = { ...w.replica, status: 'rebooting' };
    return {
      instanceId: 'regami-db-replica',
      region: 'us-west-2',
      status: w.replica.status,
      ...(w.replica.source ? { sourceIdentifier: w.replica.source } : {}),
      ...(w.replica.lag !== undefined ? { lagSeconds: w.replica.lag } : {}),
      ...(w.replica.pending ? { pendingModifications: w.replica.pending } : {}),
      endpoint: { address: REPLICA_HOST, port: 5432 },
    };
  };
  return {
    async checkPrimary(at) {
      const p = { ...w.primary, ...(w.primaryScript[w.primaryChecks] ?? {}) };
      w.primaryChecks++;
      return { at, instanceId: 'regami-db-primary', status: p.status, ...(p.connections !== undefined ? { connections: p.connections } : {}), alarms: [{ name: 'regami-db-down', state: p.alarm }] };
    },
    readReplica: async () => replica(),
    readSecondary: async () => ({ region: 'us-west-2', clusterName: 'c2', clusterStatus: 'ACTIVE', service: service(), taskDefinitionArn: w.secondary.taskDefinition, taskDefinitionFamily: 'regami-api', hasDatabaseUrl: true, errors: [] }),
    readPrimaryService: async () =>
      w.primaryServiceUnreadable
        ? { region: 'us-east-1', cluster: 'c1', service: 's1', describeError: 'AccessDeniedException', desiredCount: 0, runningCount: 0, deployments: 0 }
        : { region: 'us-east-1', cluster: 'c1', service: 's1', status: 'ACTIVE', desiredCount: w.primaryDesired, runningCount: w.primaryDesired, deployments: 1 },
    async scalePrimaryService(n) {
      if (w.pauseThrows) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      w.calls.push('ECS.UpdateService primary');
      w.primaryDesired = n;
      return { region: 'us-east-1', cluster: 'c1', service: 's1', status: 'ACTIVE', desiredCount: n, runningCount: n, deployments: 1 };
    },
    async promoteReplica() {
      if (w.promoteRefusedWith) {
        w.replica = { ...w.replica, status: 'modifying', pending: ['DBInstanceClass=db.r6g.large'] };
        throw Object.assign(new Error('DB instance regami-db-replica is not in available state (modifying).'), { name: w.promoteRefusedWith });
      }
      w.calls.push('RDS.PromoteReadReplica');
      w.replica = { status: 'modifying', source: w.replica.source };
      w.promoteReadsLeft = 3 + w.promotionBackupReads;
      return replica();
    },
    findFailoverTaskDefinition: async () => undefined,
    async registerFailoverTaskDefinition(endpoint) {
      w.calls.push('ECS.RegisterTaskDefinition');
      const arn = `arn:aws:ecs:us-west-2:123456789012:task-definition/regami-api:${13 + w.registered.length}`;
      w.registered.push(arn);
      return { taskDefinitionArn: arn, family: 'regami-api', revision: 13, databaseHost: endpoint.address, databaseUrlRedacted: `postgresql://app:***@${endpoint.address}:5432/regami` };
    },
    readSecondaryService: async () => {
      if (w.secondary.readsToStable > 0 && --w.secondary.readsToStable === 0) {
        w.secondary.rollout = 'COMPLETED';
        w.secondary.running = w.secondary.desired;
      }
      return service();
    },
    async updateSecondaryService(td, n) {
      w.calls.push(`ECS.UpdateService secondary ${n}`);
      w.secondary = { ...w.secondary, desired: n, ...(td ? { taskDefinition: td } : {}), rollout: w.secondaryRolloutFails && n > 0 ? 'FAILED' : 'IN_PROGRESS', readsToStable: w.secondaryRolloutFails && n > 0 ? 0 : 2 };
      if (n === 0) w.secondary.running = 0;
      return service();
    },
    readFailoverRecords: async () => ({
      primarySet: { name: 'api.regami.com.', type: 'A', setIdentifier: 'primary', failover: w.dns.failover === 'PRIMARY' ? 'SECONDARY' : 'PRIMARY', aliasDnsName: 'regami-alb.us-east-1.elb.amazonaws.com.', aliasHostedZoneId: 'Z35SXDOTRQ7X7K' },
      secondarySet: { name: 'api.regami.com.', type: 'A', setIdentifier: 'secondary', failover: w.dns.failover, aliasDnsName: w.dns.alias, aliasHostedZoneId: 'Z1H1FL5HABSF5', evaluateTargetHealth: true },
    }),
    async upsertFailoverRecord() {
      if (w.dnsUpsertFails) throw Object.assign(new Error('Service unavailable'), { name: 'ServiceUnavailable' });
      w.calls.push('Route53.ChangeResourceRecordSets PRIMARY');
      w.dns.failover = 'PRIMARY';
      w.dnsChecksLeft = 2;
      if (w.dnsUpsertThrowsAfterApplying) throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
      return { changeId: '/change/C1', status: 'PENDING' };
    },
    async restoreFailoverRecords(previous) {
      w.calls.push(`Route53.ChangeResourceRecordSets ${previous.secondarySet?.failover ?? 'SECONDARY'}`);
      w.dns.failover = previous.secondarySet?.failover ?? 'SECONDARY';
      return { changeId: '/change/C2', status: 'PENDING' };
    },
    dnsChangeStatus: async () => (--w.dnsChecksLeft <= 0 ? 'INSYNC' : 'PENDING'),
    checkHealth: async (url) => ({ url, healthy: w.healthy(w), detail: 'fake' }),
    serviceNameAnswersSecondary: async () => w.dnsDataPlaneSecondary,
    checkSecondaryHealth: async () => ({ url: 'http://regami-alb-secondary/health?check=db', healthy: w.secondaryHealthy(w), detail: 'fake' }),
  };
}

/** Runs steps inline; a step's result goes through JSON like a checkpoint. Waits move the clock. */
class FakeWorkflow implements Workflow {
  steps: string[] = [];
  constructor(
    private readonly w: FakeWorld,
    private readonly approval: ApprovalOutcome = { outcome: 'EXPIRED' },
  ) {}
  async step<T>(name: string, fn: () => Promise<T>): Promise<T> {
    this.steps.push(name);
    const r = await fn();
    return r === undefined ? r : (JSON.parse(JSON.stringify(r)) as T);
  }
  async wait(_name: string, seconds: number): Promise<void> {
    this.w.now += seconds * 1000;
  }
  async waitForApproval(_name: string, timeout: number, submit: (id: string) => Promise<void>): Promise<ApprovalOutcome> {
    await submit('cb-123');
    if (this.approval.outcome === 'EXPIRED') this.w.now += timeout * 1000;
    return this.approval;
  }
}

interface Harness {
  w: FakeWorld;
  wf: FakeWorkflow;
  pages: Page[];
  timeline: TimelineEntry[];
  incident: IncidentRecord;
  run(): ReturnType<typeof runDatabaseFailover>;
}

function harness(opts: { config?: AutopilotConfig; controls?: Partial<Controls>; earlier?: ActionRecord[]; approval?: ApprovalOutcome; refuse?: Record<string, string>; setup?: (w: FakeWorld) => void; checkPrimary?: DatabaseFailoverOperations['checkPrimary'] } = {}): Harness {
  const config = opts.config ?? cfg();
  const w = new FakeWorld();
  opts.setup?.(w);
  const wf = new FakeWorkflow(w, opts.approval);
  const pages: Page[] = [];
  const timeline: TimelineEntry[] = [];
  const incident = openIncident({ key: 'database-failover-regami-db-primary', runbook: 'database-failover', title: 't', severity: 'P1', detectedAt: T0 });
  const act: Act = async (req, mutate) => {
    const refusal = opts.refuse?.[req.action];
    if (refusal) return { status: 'refused', guardrail: 'KillSwitch', reason: refusal };
    // Recorded before the call (adapters/runtime/actuator.ts): a crash after it never loses it.
    w.ledger.push({ scope: req.scope, action: req.action, at: w.now, incidentKey: incident.key, summary: req.summary });
    const result = await mutate();
    incident.actionsTaken.push(req.summary);
    return { status: 'executed', result };
  };
  const deps: FailoverDeps = {
    config,
    ops: { ...fakeOps(w), ...(opts.checkPrimary ? { checkPrimary: opts.checkPrimary } : {}) },
    act,
    recorder: { record: (e) => timeline.push({ ...e, at: e.at ?? w.now }) },
    pager: { send: async (p) => void pages.push(p) },
    clock: { now: () => w.now },
    readGuardState: async () => ({
      controls: { killSwitch: false, dryRun: false, ...opts.controls },
      failovers: [...(opts.earlier ?? []), ...w.ledger.filter((a) => a.scope === failoverScope('regami-db-primary'))],
      globalActions: [...(opts.earlier ?? []), ...w.ledger],
    }),
    incident: {
      set: (fields) => void Object.assign(incident, fields),
      setIfUnset: () => {
        throw new Error('the failover workflow overwrites its fields (set); it keeps no first value');
      },
      addRefusal: (s) => void incident.refusals.push(s),
      current: () => incident,
    },
    approvalCommands: (id) => ({ approve: `approve ${id}`, reject: `reject ${id}` }),
  };
  const input: FailoverInput = { incidentKey: incident.key, primaryInstanceId: 'regami-db-primary', detectedAt: T0, trigger: 'alarm regami-db-down ALARM' };
  return { w, wf, pages, timeline, incident, run: () => runDatabaseFailover(wf, deps, input) };
}

const summaries = (h: Harness) => h.timeline.map((e) => e.summary);
const mutations = (h: Harness) => h.w.calls;

describe('database failover workflow (fakes)', () => {
  it('happy path: confirms, passes every gate, runs the runbook steps in order and documents the incident', async () => {
    const h = harness();
    const out = await h.run();
    expect(out).toMatchObject({ result: 'failed-over', endpoint: REPLICA_HOST });
    expect(mutations(h)).toEqual(['ECS.UpdateService primary', 'RDS.PromoteReadReplica', 'ECS.RegisterTaskDefinition', 'ECS.UpdateService secondary 2', 'Route53.ChangeResourceRecordSets PRIMARY']);
    expect(h.w.primaryChecks).toBe(3);
    // every gate's verdict is on the timeline
    for (const gate of ['PrimaryConfirmedDown: pass', 'ReplicaAvailable: pass', 'ReplicaSource: pass', 'ReplicaLag: pass', 'FailoverInterval: pass', 'KillSwitch: pass', 'ActionBudget: pass', 'SecondaryReady: pass']) {
      expect(summaries(h).some((s) => s.startsWith(gate))).toBe(true);
    }
    expect(h.pages.map((p) => `${p.severity} ${p.action}`)).toEqual(['P1 trigger', 'P1 resolve', 'P2 trigger']);
    expect(h.pages[2]?.incidentKey).toBe('database-failover-regami-db-primary-followup');
    expect(h.incident).toMatchObject({ status: 'mitigated', startedAt: expect.any(Number), mitigatedAt: expect.any(Number) });
    expect(h.incident.mitigatedAt!).toBeGreaterThan(h.incident.startedAt!);
    expect(summaries(h).some((s) => /failover complete: detected .* started .* completed .* downtime \d+s/.test(s))).toBe(true);
  });

  it('spaces the confirmation checks confirmIntervalSeconds apart with durable waits', async () => {
    const h = harness();
    await h.run();
    const checks = h.timeline.filter((e) => e.kind === 'signal' && e.summary.startsWith('check '));
    expect(checks.map((e) => (e.at - T0) / 1000)).toEqual([0, 60, 120]);
  });

  it('a primary that recovers during confirmation ends with a resolve page and no mutation', async () => {
    const h = harness({ setup: (w) => (w.primaryScript = [{}, { status: 'available', connections: 40, alarm: 'OK' }]) });
    expect(await h.run()).toEqual({ result: 'recovered' });
    expect(mutations(h)).toEqual([]);
    expect(h.w.primaryChecks).toBe(2);
    expect(h.pages).toHaveLength(1);
    expect(h.pages[0]).toMatchObject({ action: 'resolve', severity: 'P1' });
    expect(h.incident.status).toBe('resolved');
  });

  it('status and reachability disagreeing through the window is not a confirmation: P1, no mutation', async () => {
    // Never 3 consecutive "down" checks within the bounded window (gates.ts maxConfirmationChecks).
    const h = harness({ setup: (w) => (w.primaryScript = [{}, { connections: 25, alarm: 'OK' }, {}, {}, { connections: 25, alarm: 'OK' }, {}]) });
    expect(await h.run()).toMatchObject({ result: 'refused', gate: 'PrimaryConfirmedDown' });
    expect(mutations(h)).toEqual([]);
    expect(h.pages[0]).toMatchObject({ action: 'trigger', severity: 'P1', refused: [{ guardrail: 'PrimaryConfirmedDown' }] });
  });

  it('an RDS event before the metrics caught up (first check mixed, then down) still fails over on the latest consecutive checks', async () => {
    const h = harness({ setup: (w) => (w.primaryScript = [{ connections: 25, alarm: 'OK' }]) });
    expect(await h.run()).toMatchObject({ result: 'failed-over' });
    expect(mutations(h)).toContain('RDS.PromoteReadReplica');
  });

  it('an RDS/CloudWatch outage (cannot see the primary) over the whole window refuses: no mutation, P1 "decide by hand" with evidence and commands', async () => {
    const h = harness({ checkPrimary: async (at) => ({ at, instanceId: 'regami-db-primary', describeError: 'ThrottlingException', metricsError: 'ThrottlingException', alarms: [], alarmsError: 'AccessDeniedException' }) });
    expect(await h.run()).toMatchObject({ result: 'refused', gate: 'PrimaryConfirmedDown', reason: expect.stringMatching(/^PrimaryNotConfirmed: only 0\/6 .*6 unknown/) });
    expect(mutations(h)).toEqual([]);
    expect(h.pages).toHaveLength(1);
    const page = h.pages[0]!;
    expect(page).toMatchObject({ severity: 'P1', action: 'trigger', title: expect.stringContaining('Cannot confirm the primary regami-db-primary is down: decide by hand') });
    expect(page.diagnosis.join('\n')).toContain('ThrottlingException');
    expect(page.nextStep).toContain("aws rds describe-db-instances --db-instance-identifier regami-db-primary --region us-east-1");
    expect(page.nextStep).toContain('aws rds promote-read-replica --db-instance-identifier regami-db-replica');
    expect(h.wf.steps).not.toContain('check-read-replica-health');
  });

  it.each([
    ['the primary service cannot be read', (w: FakeWorld) => (w.primaryServiceUnreadable = true)],
    ['UpdateService of the primary service fails', (w: FakeWorld) => (w.pauseThrows = true)],
  ])('pause on and %s: stops BEFORE promotion and pages P1 (a writer it could not stop)', async (_name, setup) => {
    const h = harness({ setup });
    const out = await h.run();
    expect(out).toMatchObject({ result: 'stopped', stoppedAt: 'pause-application' });
    expect(mutations(h)).not.toContain('RDS.PromoteReadReplica');
    expect(h.wf.steps).not.toContain('promote-read-replica');
    const page = h.pages[h.pages.length - 1]!;
    expect(page).toMatchObject({ severity: 'P1', action: 'trigger', title: expect.stringContaining('STOPPED at pause-application') });
    expect(page.nextStep).toContain('writers were NOT stopped');
    expect(page.nextStep).toContain('aws ecs update-service --cluster regami-cluster --service regami-service --desired-count 0 --region us-east-1');
  });

  it('pause on and the pause refused by a guardrail: stops before promotion', async () => {
    const h = harness({ refuse: { 'pause-primary-service': 'kill switch is ON' } });
    expect(await h.run()).toMatchObject({ result: 'stopped', stoppedAt: 'pause-application' });
    expect(mutations(h)).toEqual([]);
  });

  it('replica lag over budget refuses before any mutation and pages the gate with its evidence', async () => {
    const h = harness({ setup: (w) => (w.replica.lag = 900) });
    expect(await h.run()).toMatchObject({ result: 'refused', gate: 'ReplicaLag', reason: expect.stringMatching(/^LagOverBudget/) });
    expect(mutations(h)).toEqual([]);
    expect(h.pages).toHaveLength(1);
    expect(h.pages[0]).toMatchObject({ severity: 'P1', action: 'trigger', title: expect.stringContaining('gate ReplicaLag refused') });
    expect(h.pages[0]?.diagnosis.join('\n')).toContain('"lagSeconds":900');
    expect(h.incident.status).toBe('escalated');
  });

  it('unknown lag fails the gate', async () => {
    const h = harness({ setup: (w) => (w.replica.lag = undefined) });
    expect(await h.run()).toMatchObject({ result: 'refused', gate: 'ReplicaLag', reason: expect.stringMatching(/^LagUnknown/) });
    expect(mutations(h)).toEqual([]);
  });

  it('a failover of this database within the interval refuses', async () => {
    const earlier: ActionRecord = { scope: failoverScope('regami-db-primary'), action: 'promote-replica', at: T0 - 3600_000, incidentKey: 'database-failover-old' };
    const h = harness({ earlier: [earlier] });
    expect(await h.run()).toMatchObject({ result: 'refused', gate: 'FailoverInterval', reason: expect.stringMatching(/^RecentFailover/) });
    expect(mutations(h)).toEqual([]);
  });

  it('the kill switch refuses before any mutation', async () => {
    const h = harness({ controls: { killSwitch: true, setBy: 'oncall' } });
    expect(await h.run()).toMatchObject({ result: 'refused', gate: 'KillSwitch' });
    expect(mutations(h)).toEqual([]);
  });

  it('dry-run passes the gates, changes nothing and pages the manual commands', async () => {
    const h = harness({ controls: { dryRun: true } });
    expect(await h.run()).toEqual({ result: 'dry-run' });
    expect(mutations(h)).toEqual([]);
    expect(h.pages[0]).toMatchObject({ severity: 'P1', title: expect.stringContaining('dry-run') });
    expect(h.pages[0]?.nextStep).toContain('aws rds promote-read-replica --db-instance-identifier regami-db-replica --backup-retention-period 7 --region us-west-2');
  });

  describe('approval', () => {
    const config = cfg({ requireApproval: true });

    it('pages P1 with the exact approve/reject commands, then proceeds on APPROVED after re-checking', async () => {
      const h = harness({ config, approval: { outcome: 'APPROVED', by: 'alice' } });
      expect(await h.run()).toMatchObject({ result: 'failed-over' });
      expect(h.pages[0]).toMatchObject({ severity: 'P1', action: 'trigger', approval: { callbackId: 'cb-123', approveCommand: 'approve cb-123', rejectCommand: 'reject cb-123' } });
      expect(h.pages[0]?.nextStep).toContain('approve cb-123');
      expect(h.wf.steps).toContain('recheck-before-promotion');
      expect(summaries(h)).toContain('Approval: pass - APPROVED by "alice"');
      expect(mutations(h)).toContain('RDS.PromoteReadReplica');
    });

    it('REJECTED stops before any mutation and pages', async () => {
      const h = harness({ config, approval: { outcome: 'REJECTED', by: 'bob' } });
      expect(await h.run()).toMatchObject({ result: 'refused', gate: 'Approval', reason: expect.stringContaining('REJECTED by "bob"') });
      expect(mutations(h)).toEqual([]);
      expect(h.pages.map((p) => p.title)).toEqual([expect.stringContaining('APPROVAL NEEDED'), expect.stringContaining('gate Approval refused')]);
    });

    it('EXPIRED counts as denied and re-pages; it never proceeds silently', async () => {
      const h = harness({ config, approval: { outcome: 'EXPIRED' } });
      expect(await h.run()).toMatchObject({ result: 'refused', gate: 'Approval', reason: expect.stringContaining('EXPIRED') });
      expect(mutations(h)).toEqual([]);
      expect(h.pages).toHaveLength(2);
      expect(h.pages[1]).toMatchObject({ severity: 'P1', action: 'trigger' });
      expect(summaries(h)).toContain('approval EXPIRED');
    });

    it('a primary that recovered while waiting for approval is not failed over', async () => {
      const h = harness({ config, approval: { outcome: 'APPROVED' }, setup: (w) => (w.primaryScript = [{}, {}, {}, { status: 'available', connections: 30, alarm: 'OK' }]) });
      expect(await h.run()).toEqual({ result: 'recovered' });
      expect(mutations(h)).toEqual([]);
    });
  });

  it('does not promote again when the replica is already being promoted (a step retried after a crash)', async () => {
    // Read 1 is the replica gate; read 2 is the promote step's re-read, which finds the earlier attempt's promotion.
    const h = harness({ setup: (w) => (w.promotedBeforeRead = 2) });
    expect(await h.run()).toMatchObject({ result: 'failed-over' });
    expect(mutations(h)).not.toContain('RDS.PromoteReadReplica');
    expect(summaries(h).some((s) => s.includes('promotion already under way, not promoting again'))).toBe(true);
  });

  // Flipped (review S6): this test used to assert that the rollback scales the secondary to 0
  // after DNS was switched to it (with the primary service still paused): an outage made by
  // the autopilot. After promotion + DNS the autopilot keeps serving and pages a human.
  it('after promotion and DNS, an unhealthy verification keeps serving from the secondary and pages the ordered failback', async () => {
    const h = harness({ setup: (w) => (w.healthy = () => false) });
    const out = await h.run();
    expect(out).toMatchObject({ result: 'stopped', stoppedAt: 'verify-application', rolledBack: [] });
    expect(mutations(h)).toEqual([
      'ECS.UpdateService primary',
      'RDS.PromoteReadReplica',
      'ECS.RegisterTaskDefinition',
      'ECS.UpdateService secondary 2',
      'Route53.ChangeResourceRecordSets PRIMARY',
    ]);
    expect(h.w.secondary.desired).toBe(2);
    expect(h.w.dns.failover).toBe('PRIMARY');
    const page = h.pages[h.pages.length - 1]!;
    expect(page).toMatchObject({ severity: 'P1', action: 'trigger', title: expect.stringContaining('STOPPED at verify-application') });
    expect(page.nextStep).toContain('KEEP SERVING');
    const steps = page.nextStep.split('\n');
    const at = (needle: string) => steps.findIndex((l) => l.includes(needle));
    // the failback order: authoritative database, primary service restored and stable, DNS, then the secondary
    expect(at('decide which database is authoritative')).toBeGreaterThanOrEqual(0);
    expect(at('--desired-count 2 --region us-east-1')).toBeGreaterThan(at('decide which database is authoritative'));
    expect(at('aws ecs wait services-stable --cluster regami-cluster ')).toBe(at('--desired-count 2 --region us-east-1'));
    expect(at('aws route53 change-resource-record-sets --hosted-zone-id Z1234567890ABC')).toBeGreaterThan(at('--desired-count 2 --region us-east-1'));
    expect(at('--desired-count 0 --region us-west-2')).toBeGreaterThan(at('aws route53 change-resource-record-sets'));
    expect(page.nextStep).toContain('is promoted');
    expect(h.incident.status).toBe('escalated');
  });

  // Flipped (review S6): this test used to assert that DNS is switched back automatically when
  // the primary looks healthy again. Once the promoted replica took traffic, that orphans its
  // writes: a human decides. No DNS change, no scale-down, no primary restart.
  it('after promotion and DNS, a primary that looks healthy again is NOT switched back automatically', async () => {
    const h = harness({
      setup: (w) => {
        w.healthy = () => false;
        w.primaryScript = [{}, {}, {}, { status: 'available', connections: 12, alarm: 'OK' }];
      },
    });
    const out = await h.run();
    expect(out).toMatchObject({ result: 'stopped', rolledBack: [] });
    expect(mutations(h)).not.toContain('Route53.ChangeResourceRecordSets SECONDARY');
    expect(mutations(h)).not.toContain('ECS.UpdateService secondary 0');
    expect(mutations(h).filter((m) => m === 'ECS.UpdateService primary')).toHaveLength(1);
    expect(h.w.dns.failover).toBe('PRIMARY');
    expect(h.w.primaryDesired).toBe(0);
    expect(summaries(h).some((s) => s.includes('NOT switching DNS back'))).toBe(true);
  });

  it('promoted but DNS never switched: scales the secondary down, THEN restores the primary service to its pre-pause count and waits until stable', async () => {
    const h = harness();
    // the secondary's rollout FAILS: stop at wait-service-stable, before DNS
    h.w.secondaryRolloutFails = true;
    const out = await h.run();
    expect(out).toMatchObject({ result: 'stopped', stoppedAt: 'wait-service-stable', rolledBack: ['scaled regami-service-secondary to 0', 'restored regami-service to 2 tasks (stable)'] });
    expect(mutations(h)).toEqual(['ECS.UpdateService primary', 'RDS.PromoteReadReplica', 'ECS.RegisterTaskDefinition', 'ECS.UpdateService secondary 2', 'ECS.UpdateService secondary 0', 'ECS.UpdateService primary']);
    expect(h.w.primaryDesired).toBe(2);
    expect(h.w.dns.failover).toBe('SECONDARY');
    expect(h.wf.steps.indexOf('rollback-restore-primary-service')).toBeGreaterThan(h.wf.steps.indexOf('rollback-scale-secondary-down'));
    expect(h.wf.steps).toContain('rollback-primary-stable-check-1');
  });

  it('promoted, DNS never switched, but the secondary cannot be scaled down: the primary service is NOT restored (two writers)', async () => {
    const h = harness({ refuse: { 'rollback-secondary-service': 'kill switch is ON' } });
    h.w.secondaryRolloutFails = true;
    const out = await h.run();
    expect(out).toMatchObject({ result: 'stopped', stoppedAt: 'wait-service-stable', rolledBack: [] });
    expect(mutations(h).filter((m) => m === 'ECS.UpdateService primary')).toHaveLength(1);
    expect(h.w.primaryDesired).toBe(0);
    const page = h.pages[h.pages.length - 1]!;
    expect(page.nextStep).toContain('would run two writers');
    expect(page.nextStep).toContain('--desired-count 0 --region us-west-2');
  });

  it('a DNS step that failed after applying (records read live) is treated as switched: no scale-down, no primary restart', async () => {
    const h = harness();
    h.w.dnsUpsertThrowsAfterApplying = true;
    const out = await h.run();
    expect(out).toMatchObject({ result: 'stopped', stoppedAt: 'update-dns', rolledBack: [] });
    expect(h.w.dns.failover).toBe('PRIMARY');
    expect(mutations(h)).not.toContain('ECS.UpdateService secondary 0');
    expect(mutations(h).filter((m) => m === 'ECS.UpdateService primary')).toHaveLength(1);
    expect(h.pages[h.pages.length - 1]?.nextStep).toContain('KEEP SERVING');
  });

  it('a refusal at promotion (kill switch flipped mid-incident) stops with nothing promoted and says what to restore', async () => {
    const h = harness({ refuse: { 'promote-replica': 'kill switch is ON' } });
    const out = await h.run();
    expect(out).toMatchObject({ result: 'stopped', stoppedAt: 'promote-read-replica', rolledBack: [] });
    expect(mutations(h)).toEqual(['ECS.UpdateService primary']);
    const page = h.pages[h.pages.length - 1]!;
    expect(page.refused).toEqual([{ action: 'promote-read-replica', guardrail: 'KillSwitch', reason: 'kill switch is ON' }]);
    expect(page.nextStep).toContain('Nothing was promoted');
    expect(page.nextStep).toContain('--desired-count 2 --region us-east-1');
  });

  it.each(['storage-full', 'incompatible-parameters', 'rebooting'])(
    'a replica that went %s between the gate and the promotion is not "promotion under way": stops at once with the status',
    async (status) => {
      // Read 1 is the replica gate; read 2 is the promote step's re-read.
      const h = harness({ setup: (w) => (w.replicaStatusAtRead = { read: 2, status }) });
      const started = h.w.now;
      const out = await h.run();
      expect(out).toMatchObject({ result: 'stopped', stoppedAt: 'promote-read-replica', reason: expect.stringContaining(`is ${status} and still a replica`) });
      expect(mutations(h)).not.toContain('RDS.PromoteReadReplica');
      expect(h.wf.steps.some((s) => s.startsWith('wait-promotion-check-'))).toBe(false);
      expect(h.w.now - started).toBeLessThan(5 * 60_000);
    },
  );

  it('a replica that fails during the promotion wait stops at once, not after the timeout', async () => {
    const h = harness({ setup: (w) => (w.promotionEndsIn = 'storage-full') });
    const out = await h.run();
    expect(out).toMatchObject({ result: 'stopped', stoppedAt: 'wait-promotion', reason: expect.stringContaining('went to storage-full') });
    expect(h.wf.steps.filter((s) => s.startsWith('wait-promotion-check-')).length).toBeLessThan(3);
  });

  it('a promotion that never completes stops at wait-promotion, bounded by the timeout, and pages', async () => {
    const h = harness({ config: cfg({ promotionTimeoutSeconds: 300 }), setup: (w) => (w.promotionHangs = true) });
    const started = h.w.now;
    const out = await h.run();
    expect(out).toMatchObject({ result: 'stopped', stoppedAt: 'wait-promotion' });
    expect(h.wf.steps.filter((s) => s.startsWith('wait-promotion-check-'))).toHaveLength(10);
    expect(h.w.now - started).toBeLessThan(10 * 60_000);
    expect(mutations(h)).not.toContain('ECS.RegisterTaskDefinition');
    expect(h.pages[h.pages.length - 1]?.title).toContain('STOPPED at wait-promotion');
  });
});

describe('the promotion overlapped (issue 18): the secondary starts while RDS reboots the promoted replica', () => {
  it('registers the task definition on the replica endpoint and starts the secondary during the promotion, then DNS only after it completed and the secondary is healthy', async () => {
    const h = harness({ setup: (w) => (w.promotionRebootReads = 2) });
    const out = await h.run();
    expect(out).toMatchObject({ result: 'failed-over', endpoint: REPLICA_HOST });
    expect(mutations(h)).toEqual(['ECS.UpdateService primary', 'RDS.PromoteReadReplica', 'ECS.RegisterTaskDefinition', 'ECS.UpdateService secondary 2', 'Route53.ChangeResourceRecordSets PRIMARY']);
    const at = (name: string) => h.wf.steps.indexOf(name);
    expect(at('register-task-definition')).toBeGreaterThan(at('wait-promotion-check-1'));
    expect(at('start-secondary-service')).toBeLessThan(at('promotion-completed'));
    expect(at('update-dns')).toBeGreaterThan(at('promotion-completed'));
    expect(at('update-dns')).toBeGreaterThan(at('verify-secondary-before-dns-1'));
    expect(h.wf.steps).not.toContain('register-task-definition-after-promotion');
  });

  it('without a reboot seen (a promotion observed only before and after it), keeps the runbook order', async () => {
    const h = harness();
    await h.run();
    const at = (name: string) => h.wf.steps.indexOf(name);
    expect(at('register-task-definition')).toBeGreaterThan(at('promotion-completed'));
  });

  it('keeps the secondary out of DNS while its own health check fails: stops before DNS, scales it down, restores the primary service', async () => {
    const h = harness({ setup: (w) => { w.promotionRebootReads = 2; w.secondaryHealthy = () => false; } });
    const out = await h.run();
    expect(out).toMatchObject({ result: 'stopped', stoppedAt: 'verify-secondary-before-dns' });
    expect(mutations(h)).not.toContain('Route53.ChangeResourceRecordSets PRIMARY');
    expect(mutations(h)).toContain('ECS.UpdateService secondary 0');
    expect(h.w.dns.failover).toBe('SECONDARY');
    expect(h.w.primaryDesired).toBe(2);
  });

  it('a promotion that never completes after the secondary was started: stops at wait-promotion, bounded, and the secondary is scaled down (DNS never moved)', async () => {
    const h = harness({ config: cfg({ promotionTimeoutSeconds: 300 }), setup: (w) => (w.promotionStuckRebooting = true) });
    const started = h.w.now;
    const out = await h.run();
    expect(out).toMatchObject({ result: 'stopped', stoppedAt: 'wait-promotion' });
    expect(h.w.now - started).toBeLessThan(10 * 60_000);
    expect(mutations(h)).toContain('ECS.UpdateService secondary 0');
    expect(h.w.dns.failover).toBe('SECONDARY');
  });
});

// Issue 15: a replica in 'backing-up' or 'modifying' was taken for a promotion under way. What each
// state means is AWS's (domain/failover/replica-states.ts): 'modifying' is any customer-requested
// change ("Viewing Amazon RDS DB instance status"), a replica cannot be promoted while 'backing-up'
// (API_PromoteReadReplica), a promotion reboots and then, turning backups on, takes a backup.
describe('replica states (issue 15): a promotion under way only after this incident asked for one', () => {
  it('step 2: a replica modifying for a change of its own when the primary fails is refused with the state, neither "under way" nor ready', async () => {
    const h = harness({ setup: (w) => (w.replica = { status: 'modifying', source: PRIMARY_ARN, lag: 3, pending: ['DBInstanceClass=db.r6g.large'] }) });
    const out = await h.run();
    expect(out).toMatchObject({ result: 'refused', gate: 'ReplicaAvailable' });
    const reason = (out as { reason: string }).reason;
    expect(reason).toContain('ReplicaNotAvailable: replica regami-db-replica is modifying');
    expect(reason).toContain('DBInstanceClass=db.r6g.large');
    expect(reason).toContain('not a promotion under way, and not ready either');
    expect(reason).toContain('aws rds wait db-instance-available --db-instance-identifier regami-db-replica --region us-west-2');
    expect(mutations(h)).toEqual([]);
    expect(summaries(h).some((s) => s.includes('promotion already under way'))).toBe(false);
    expect(h.pages).toHaveLength(1);
    expect(h.pages[0]).toMatchObject({ severity: 'P1', action: 'trigger', title: expect.stringContaining('gate ReplicaAvailable refused') });
    expect(h.pages[0]?.nextStep).toContain('Nothing was changed');
    expect(h.incident.status).toBe('escalated');
  });

  it('step 2: a replica backing up on its own schedule is refused: RDS cannot promote it while backing-up', async () => {
    const h = harness({ setup: (w) => (w.replica = { status: 'backing-up', source: PRIMARY_ARN, lag: 3 }) });
    const out = await h.run();
    expect(out).toMatchObject({ result: 'refused', gate: 'ReplicaAvailable', reason: expect.stringContaining('is backing-up (RDS: being backed up; a read replica cannot be promoted while backing-up)') });
    expect(mutations(h)).toEqual([]);
  });

  it.each([
    ['modifying', 'a modification this failover did not request: not a promotion under way'],
    ['backing-up', 'RDS cannot promote a read replica while it is backing-up'],
  ])('step 4: a replica that went %s between the gate and the promotion, with no promotion requested, stops at once naming the state', async (status, why) => {
    const h = harness({ setup: (w) => (w.replicaStatusAtRead = { read: 2, status }) });
    const started = h.w.now;
    const out = await h.run();
    expect(out).toMatchObject({ result: 'stopped', stoppedAt: 'promote-read-replica', reason: expect.stringContaining(`is ${status} and still a replica`) });
    expect((out as { reason: string }).reason).toContain(why);
    expect(mutations(h)).not.toContain('RDS.PromoteReadReplica');
    expect(h.wf.steps.some((s) => s.startsWith('wait-promotion-check-'))).toBe(false);
    expect(summaries(h).some((s) => s.includes('promotion already under way'))).toBe(false);
    expect(h.w.now - started).toBeLessThan(5 * 60_000);
    expect(h.pages[h.pages.length - 1]?.nextStep).toContain('Nothing was promoted');
  });

  it('step 4: RDS refusing PromoteReadReplica for the replica\'s state (it went modifying just before the call) stops at once, not retried, not "under way"', async () => {
    const h = harness({ setup: (w) => (w.promoteRefusedWith = 'InvalidDBInstanceStateFault') });
    const out = await h.run();
    expect(out).toMatchObject({ result: 'stopped', stoppedAt: 'promote-read-replica', reason: expect.stringContaining('RDS refused PromoteReadReplica (InvalidDBInstanceStateFault): replica regami-db-replica is modifying and still a replica: not promoted') });
    expect(mutations(h)).not.toContain('RDS.PromoteReadReplica');
    expect(h.wf.steps.some((s) => s.startsWith('wait-promotion-check-'))).toBe(false);
    expect(h.pages[h.pages.length - 1]?.nextStep).toContain('Nothing was promoted');
  });

  it('wait: after the reboot the promoted instance backs up (no longer a replica); the failover waits for available before DNS', async () => {
    const h = harness({ setup: (w) => { w.promotionRebootReads = 2; w.promotionBackupReads = 2; } });
    const out = await h.run();
    expect(out).toMatchObject({ result: 'failed-over' });
    expect(mutations(h)).toEqual(['ECS.UpdateService primary', 'RDS.PromoteReadReplica', 'ECS.RegisterTaskDefinition', 'ECS.UpdateService secondary 2', 'Route53.ChangeResourceRecordSets PRIMARY']);
    expect(summaries(h).some((s) => s === 'promotion: regami-db-replica is backing-up, no longer a replica (the first automated backup the promotion turned on)')).toBe(true);
    const at = (name: string) => h.wf.steps.indexOf(name);
    expect(at('update-dns')).toBeGreaterThan(at('promotion-completed'));
  });

  it('wait: a state no promotion passes through stops at once naming it (it cannot be judged), promoted, DNS never moved', async () => {
    const h = harness({ setup: (w) => (w.promotionEndsIn = 'storage-optimization') });
    const out = await h.run();
    expect(out).toMatchObject({ result: 'stopped', stoppedAt: 'wait-promotion', reason: expect.stringContaining('regami-db-replica is storage-optimization during the promotion: not a state a promotion passes through') });
    expect(h.wf.steps.filter((s) => s.startsWith('wait-promotion-check-')).length).toBeLessThan(3);
    expect(mutations(h)).not.toContain('Route53.ChangeResourceRecordSets PRIMARY');
  });
});

describe('the primary region down (issue 15): a failover from the secondary region', () => {
  const dataPlaneDown = (at: number) => ({
    at,
    instanceId: 'regami-db-primary',
    describeError: 'ServiceUnavailable',
    alarms: [],
    alarmsError: 'ServiceUnavailable',
    dataPlane: { healthCheck: 'unhealthy' as const, healthCheckDetail: 'TXT primary-unhealthy', replicaReplay: 'stopped' as const, replicaDetail: 'grew', replayStoppedAt: at - 120_000 },
  });

  it('no pause is possible (recorded and paged), DNS moves on the data plane when the Route 53 control plane fails: failed over', async () => {
    const h = harness({
      checkPrimary: async (at) => dataPlaneDown(at),
      setup: (w) => {
        w.primaryServiceUnreadable = true;
        w.dnsUpsertFails = true;
        w.dnsDataPlaneSecondary = true;
        w.healthy = (x) => x.secondary.running > 0 && x.replica.source === undefined;
      },
    });
    const out = await h.run();
    expect(out).toMatchObject({ result: 'failed-over' });
    expect(mutations(h)).toEqual(['RDS.PromoteReadReplica', 'ECS.RegisterTaskDefinition', 'ECS.UpdateService secondary 2']);
    const summaries = h.timeline.map((e) => e.summary);
    expect(summaries.some((s) => s.startsWith('pause NOT possible'))).toBe(true);
    expect(summaries.some((s) => s.includes("on Route 53's data plane (failover records' health checks): switched without the UPSERT"))).toBe(true);
    expect(h.pages[0]?.diagnosis.join('\n')).toContain("the primary region's APIs do not answer");
    expect(h.pages.find((p) => p.severity === 'P2')?.diagnosis.join('\n')).toContain('pin it');
  });

  it('a Route 53 control plane failure while DNS still answers the primary is not a switch: stops at update-dns', async () => {
    const h = harness({ setup: (w) => { w.dnsUpsertFails = true; w.dnsDataPlaneSecondary = false; } });
    const out = await h.run();
    expect(out).toMatchObject({ result: 'stopped', stoppedAt: 'update-dns' });
  });

  it('a standby whose primary region still answers leaves the failover to the autopilot there: no mutation, P3', async () => {
    const standby = { ...cfg(), deployment: { region: 'us-west-2', runbooks: ['database-failover' as const] } };
    const h = harness({ config: standby });
    expect(await h.run()).toMatchObject({ result: 'refused', gate: 'StandbyDefers' });
    expect(mutations(h)).toEqual([]);
    expect(h.pages.map((p) => `${p.severity} ${p.action}`)).toEqual(['P3 trigger']);
    expect(h.wf.steps).not.toContain('check-read-replica-health');
  });

  it('a standby acts when the primary region answers no API (data-plane confirmation)', async () => {
    const standby = { ...cfg(), deployment: { region: 'us-west-2', runbooks: ['database-failover' as const] } };
    const h = harness({
      config: standby,
      checkPrimary: async (at) => dataPlaneDown(at),
      setup: (w) => { w.primaryServiceUnreadable = true; w.dnsUpsertFails = true; w.dnsDataPlaneSecondary = true; w.healthy = (x) => x.secondary.running > 0 && x.replica.source === undefined; },
    });
    expect(await h.run()).toMatchObject({ result: 'failed-over' });
  });

  it('an unreadable primary-region service without data-plane proof of the outage still stops before promotion', async () => {
    const h = harness({ setup: (w) => (w.primaryServiceUnreadable = true) });
    const out = await h.run();
    expect(out).toMatchObject({ result: 'stopped', stoppedAt: 'pause-application' });
    expect(mutations(h)).toEqual([]);
  });
});

describe('lagJudgedBefore: the moment before which a ReplicaLag reading was taken while the primary was up', () => {
  const MIN = 60_000;
  const check = (over: Record<string, unknown>) => ({ at: T0, instanceId: 'regami-db-primary', alarms: [], ...over }) as Parameters<typeof lagJudgedBefore>[0][number];
  const stopped = (at: number) => ({ healthCheck: 'unknown' as const, healthCheckDetail: '', replicaReplay: 'stopped' as const, replicaDetail: '', replayStoppedAt: at });
  const detected = T0 + 4 * MIN;

  it('is the trigger without evidence of an earlier failure', () => {
    expect(lagJudgedBefore([check({})], detected, false)).toBe(detected);
  });

  it('a late alarm: replay stopped and the primary stopped serving before the trigger, so the earlier of those counts', () => {
    expect(lagJudgedBefore([check({ dataPlane: stopped(T0 + 2 * MIN), servingUntil: T0 + MIN })], detected, false)).toBe(T0 + 2 * MIN);
  });

  it('replay stopped while the primary still served (a broken link): the end of serving counts, the growth before it is data loss', () => {
    expect(lagJudgedBefore([check({ dataPlane: stopped(T0 + MIN), servingUntil: T0 + 3 * MIN })], detected, false)).toBe(T0 + 3 * MIN);
  });

  it('without the primary\'s own readings, only a data-plane confirmation (its region answers nothing) uses the replay time alone', () => {
    expect(lagJudgedBefore([check({ dataPlane: stopped(T0 + MIN) })], detected, false)).toBe(detected);
    expect(lagJudgedBefore([check({ dataPlane: stopped(T0 + MIN) })], detected, true)).toBe(T0 + MIN);
  });

  it('an episode reopened minutes after a refusal: the primary\'s readings show no session from before replay stopped until now, so the replay time counts (issue 13 meets 15b)', () => {
    const reopened = T0 + 6 * MIN;
    expect(lagJudgedBefore([check({ dataPlane: stopped(T0 + MIN), connectionsFrom: T0 })], reopened, false)).toBe(T0 + MIN);
    // readings that begin after replay stopped cannot tell whether the primary still served then
    expect(lagJudgedBefore([check({ dataPlane: stopped(T0 + MIN), connectionsFrom: T0 + 2 * MIN })], reopened, false)).toBe(reopened);
  });

  it('never later than the trigger', () => {
    expect(lagJudgedBefore([check({ dataPlane: stopped(T0 + 9 * MIN), servingUntil: T0 + 9 * MIN })], detected, false)).toBe(detected);
  });
});

/**
 * The scheduled readiness check (issue 16 item 3) on the simulated region: the replica was
 * deleted yesterday, no incident has happened yet; the daily check pages P3 NOT READY for the
 * failover runbook with the reason, publishes RunbookReady 0 for it and 1 for the others,
 * stores the verdicts for the workflows, and changes nothing in the estate. When the replica is
 * back, the page resolves. With IAM on (the preflight's own role, as deployed), the policy
 * simulation of every function's role names a denied call and makes its runbook NOT READY.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { defaultConfig } from '../domain/config';
import { isMutatingCall } from '../adapters/aws/clients';
import { SimClock, SimWorld, baselineWorld, simClientSetup } from '../test/simulated-region';
import { freshStateTable } from '../test/support/state-table';
import { createRuntime } from '../adapters/runtime/create-runtime';
import { deployedName, PREFLIGHT_FUNCTION } from '../handlers/shared/contract';
import { functionPolicies } from '../infra/iam-policy';
import type { ResolvedStatement } from '../test/simulated-region/iam';
import { runScheduledPreflight } from './scheduled-preflight';

async function setup() {
  const spec = baselineWorld();
  const clock = new SimClock(Date.parse(spec.start));
  const world = SimWorld.create(spec, clock);
  const { endpoint, tableName } = await freshStateTable('preflight');
  const rt = createRuntime({ config: defaultConfig, clock, tableName, dynamoEndpoint: endpoint, clientSetup: simClientSetup(world), logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }) });
  return { rt, world, tableName };
}

/** IAM on, as deployed: every call of the check authorised against the preflight's own role; `edit` changes the roles it simulates. */
function iamOn(world: SimWorld, tableName: string, edit: (policies: Map<string, ResolvedStatement[]>) => void = () => undefined) {
  const policies = functionPolicies(defaultConfig, { account: world.account, tableName });
  edit(policies);
  world.setIam({ policies, roleName: (fn) => deployedName('dev', fn), caller: () => PREFLIGHT_FUNCTION.key });
}

const failedChecks = (results: Awaited<ReturnType<typeof runScheduledPreflight>>, runbook: string) =>
  results.find((r) => r.runbook === runbook)!.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.reason}`);

describe('scheduled preflight', () => {
  it('replica deleted yesterday: pages P3 NOT READY before any incident, RunbookReady 0 for failover only, verdicts stored, no mutation of the estate', async () => {
    const { rt, world } = await setup();
    const replica = world.regions.get('us-west-2')!.rds.instances.get('regami-db-replica')!;
    world.regions.get('us-west-2')!.rds.instances.delete('regami-db-replica');
    const results = await runScheduledPreflight(rt);

    expect(results.filter((r) => !r.ready).map((r) => r.runbook)).toEqual(['database-failover']);
    const pages = world.snsOutbox;
    expect(pages).toHaveLength(1);
    expect(pages[0]!.topicArn).toBe(defaultConfig.paging.topics.P3);
    expect(pages[0]!.subject).toMatch(/^ALARM: \[P3\] database-failover NOT READY: replica/);
    expect(pages[0]!.message).toContain('regami-db-replica not found in us-west-2: there is nothing to promote');
    expect(pages[0]!.message).not.toMatch(/would/);

    const published = world.regions.get('us-east-1')!.cloudwatch.published;
    expect(published.map((p) => [p.dimensions.Runbook, p.value])).toEqual([
      ['database-failover', 0],
      ['rollback-deployment', 1],
      ['scale-ecs', 1],
      ['investigate-5xx', 1],
      ['restore-from-backup', 1],
    ]);
    expect(published.every((p) => p.namespace === 'RunbookAutopilot' && p.metricName === 'RunbookReady')).toBe(true);
    // Nothing in the estate changes: the metric (and the page) are bookkeeping, not remediation.
    const ok = world.calls.filter((c) => c.outcome === 'ok');
    expect(ok.filter((c) => isMutatingCall(c.service, c.operation)).map((c) => `${c.service}.${c.operation}`)).toEqual([]);
    expect(ok.filter((c) => c.operation === 'PutMetricData')).toHaveLength(1);

    // The verdicts the workflows read at their start.
    const stored = await rt.store.readReadiness();
    expect(stored).toMatchObject({ checkedAt: rt.clock.now(), stage: 'dev', schedule: 'rate(1 day)' });
    expect(stored!.runbooks.find((r) => r.runbook === 'database-failover')).toEqual({
      runbook: 'database-failover',
      ready: false,
      failed: expect.arrayContaining(['replica: regami-db-replica not found in us-west-2: there is nothing to promote']),
    });
    expect(stored!.runbooks.filter((r) => r.ready).map((r) => r.runbook)).toEqual(['rollback-deployment', 'scale-ecs', 'investigate-5xx', 'restore-from-backup']);

    // The replica is recreated: the next run resolves the page on the same topic.
    world.regions.get('us-west-2')!.rds.instances.set('regami-db-replica', replica);
    const again = await runScheduledPreflight(rt);
    expect(again.every((r) => r.ready)).toBe(true);
    expect(world.snsOutbox).toHaveLength(2);
    expect(world.snsOutbox[1]!.subject).toMatch(/^OK: \[P3\] database-failover READY again/);
    expect((await rt.store.readReadiness())!.runbooks.every((r) => r.ready)).toBe(true);
  });

  it('a standby stage judges only the runbooks it deploys', async () => {
    const { world, tableName } = await setup();
    const table = await freshStateTable('preflight-standby');
    const config = { ...defaultConfig, deployment: { ...defaultConfig.deployment, runbooks: ['database-failover' as const] } };
    const rt = createRuntime({ config, clock: world.clock, tableName: table.tableName, dynamoEndpoint: table.endpoint, clientSetup: simClientSetup(world), logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }) });
    expect(tableName).not.toBe(table.tableName);
    const results = await runScheduledPreflight(rt);
    expect(results.map((r) => r.runbook)).toEqual(['database-failover']);
    expect(world.regions.get('us-east-1')!.cloudwatch.published.map((p) => p.dimensions.Runbook)).toEqual(['database-failover']);
  });

  describe('IAM policy simulation of every function role (iam:SimulatePrincipalPolicy)', () => {
    it('the shipped roles allow every call their functions make: READY, under the preflight\'s own least-privilege role', async () => {
      const { rt, world, tableName } = await setup();
      iamOn(world, tableName);
      const results = await runScheduledPreflight(rt, { tableName });
      for (const r of results) expect({ runbook: r.runbook, failed: failedChecks(results, r.runbook) }).toEqual({ runbook: r.runbook, failed: [] });
      expect(results.every((r) => r.checks.some((c) => c.name === 'IAM policy simulation' && c.ok && c.reason === 'every call the runbook makes is allowed'))).toBe(true);
      // One simulation per statement of each simulated role (nine runbook functions and the operator-request function).
      const simulated = new Set(world.calls.filter((c) => c.operation === 'SimulatePrincipalPolicy').map((c) => (c.input as { PolicySourceArn: string }).PolicySourceArn));
      expect(simulated.size).toBe(10);
      expect([...simulated]).toContain('arn:aws:iam::123456789012:role/runbook-autopilot-dev-databaseFailoverWorkflow');
      // Nothing the check did was denied to its own role.
      expect(world.authorizations.flatMap((a) => a.decisions.filter((d) => !d.allowed))).toEqual([]);
    });

    it('a denied action makes its runbook NOT READY, naming the function, the action and the resource', async () => {
      const { rt, world, tableName } = await setup();
      // Someone removed the promotion grant from the failover workflow's role after the deploy.
      iamOn(world, tableName, (p) => p.set('databaseFailoverWorkflow', p.get('databaseFailoverWorkflow')!.filter((s) => s.Sid !== 'FailoverPromoteReplica')));
      const results = await runScheduledPreflight(rt, { tableName });
      expect(results.filter((r) => !r.ready).map((r) => r.runbook)).toEqual(['database-failover']);
      expect(failedChecks(results, 'database-failover')).toEqual([
        'IAM policy simulation: denied: databaseFailoverWorkflow rds:PromoteReadReplica on arn:aws:rds:us-west-2:123456789012:db:regami-db-replica: implicitDeny',
      ]);
      expect(world.snsOutbox).toHaveLength(1);
      expect(world.snsOutbox[0]!.subject).toMatch(/^ALARM: \[P3\] database-failover NOT READY: IAM policy simulation/);
      expect(world.snsOutbox[0]!.message).toContain('databaseFailoverWorkflow rds:PromoteReadReplica');
    });

    it('a condition the role no longer satisfies is denied too (the controls exclusion is simulated with a key that is not "controls")', async () => {
      const { rt, world, tableName } = await setup();
      // The scale-ecs workflow's table writes now allow only the controls item: every write of ours is denied.
      iamOn(world, tableName, (p) =>
        p.set('scaleEcsWorkflow', p.get('scaleEcsWorkflow')!.map((s) => (s.Sid === 'GuardrailStateTableWrites' ? { ...s, Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['controls'] } } } : s))),
      );
      const results = await runScheduledPreflight(rt, { tableName });
      expect(results.filter((r) => !r.ready).map((r) => r.runbook)).toEqual(['scale-ecs']);
      expect(failedChecks(results, 'scale-ecs')[0]).toMatch(/^IAM policy simulation: denied: scaleEcsWorkflow dynamodb:PutItem on arn:aws:dynamodb:us-east-1:123456789012:table\/.+: implicitDeny/);
    });

    it('a role that no longer exists: every runbook it serves is NOT READY, naming the role', async () => {
      const { rt, world, tableName } = await setup();
      iamOn(world, tableName, (p) => p.delete('operatorRequest'));
      const results = await runScheduledPreflight(rt, { tableName });
      // The operator-request function answers every workflow's gates: the four durable runbooks.
      expect(results.filter((r) => !r.ready).map((r) => r.runbook)).toEqual(['database-failover', 'rollback-deployment', 'scale-ecs', 'restore-from-backup']);
      expect(failedChecks(results, 'rollback-deployment')[0]).toMatch(/^IAM policy simulation: denied: operatorRequest: its role arn:aws:iam::123456789012:role\/runbook-autopilot-dev-operatorRequest does not exist/);
    });

    it('a simulation that cannot run fails closed: every runbook NOT READY with the reason', async () => {
      const { rt, world, tableName } = await setup();
      // The preflight's own role lost iam:SimulatePrincipalPolicy.
      iamOn(world, tableName, (p) => p.set(PREFLIGHT_FUNCTION.key, p.get(PREFLIGHT_FUNCTION.key)!.filter((s) => s.Sid !== 'SimulateFunctionRoles')));
      const results = await runScheduledPreflight(rt, { tableName });
      expect(results.every((r) => !r.ready)).toBe(true);
      expect(failedChecks(results, 'investigate-5xx')).toEqual([expect.stringMatching(/^IAM policy simulation: could not be read: AccessDenied: User: .*scheduledPreflight is not authorized to perform: iam:SimulatePrincipalPolicy/)]);
    });
  });

  it('the simulator refuses a metric namespace AWS reserves (AWS/...)', async () => {
    const { rt } = await setup();
    const { PutMetricDataCommand } = await import('@aws-sdk/client-cloudwatch');
    await expect(rt.aws.in('us-east-1').cloudwatch.send(new PutMetricDataCommand({ Namespace: 'AWS/ECS', MetricData: [{ MetricName: 'x', Value: 1 }] }))).rejects.toThrow(/Namespace is invalid/);
  });
});

/**
 * Preflight against the simulated region (issue 16 item 3): READY on the shipped world, and
 * NOT READY with the reason for each broken precondition, one test per check.
 */
import { defaultConfig, type AutopilotConfig, type RunbookId } from '../../domain/config';
import { preflight, type RunbookReadiness } from '../../domain/preflight';
import { simHarness, type SimHarness } from '../../test/simulated-region/test-support';
import { mergeWorld } from '../../test/simulated-region/baseline';
import { isMutatingCall } from './clients';
import { readPreflightFacts } from './preflight';

type Patch = { world?: unknown; config?: (c: AutopilotConfig) => AutopilotConfig; mutate?: (h: SimHarness) => void };

async function check(patch: Patch = {}): Promise<{ results: RunbookReadiness[]; h: SimHarness; of: (rb: RunbookId) => RunbookReadiness; failed: (rb: RunbookId) => string[] }> {
  const h = simHarness(patch.world);
  patch.mutate?.(h);
  const config = patch.config ? patch.config(structuredClone(defaultConfig)) : defaultConfig;
  const results = preflight(config, await readPreflightFacts(h.aws, config, h.world.clock.now()), h.world.clock.now());
  const of = (rb: RunbookId) => results.find((r) => r.runbook === rb)!;
  return { results, h, of, failed: (rb) => of(rb).checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.reason}`) };
}

const rds = (h: SimHarness, region: string) => h.world.regions.get(region)!.rds;

describe('preflight on the simulated region', () => {
  it('is READY for every runbook on the shipped world, and makes no mutating call', async () => {
    const { results, h } = await check();
    for (const r of results) expect({ runbook: r.runbook, failed: r.checks.filter((c) => !c.ok) }).toEqual({ runbook: r.runbook, failed: [] });
    expect(h.observed.filter((c) => isMutatingCall(c.service, c.operation))).toEqual([]);
  });

  it('replica deleted: failover NOT READY, nothing to promote', async () => {
    const { of, failed } = await check({ mutate: (h) => rds(h, 'us-west-2').instances.delete('regami-db-replica') });
    expect(of('database-failover').ready).toBe(false);
    expect(failed('database-failover')).toContain('replica: regami-db-replica not found in us-west-2: there is nothing to promote');
    expect(of('scale-ecs').ready).toBe(true);
  });

  it('replica replicating from another database: NOT READY, naming the source', async () => {
    const { failed } = await check({ world: { regions: { 'us-west-2': { rds: { instances: { 'regami-db-replica': { replicaOf: 'arn:aws:rds:us-east-1:123456789012:db:other-db' } } } } } } });
    expect(failed('database-failover')).toContain('replica replicates from the primary: source is arn:aws:rds:us-east-1:123456789012:db:other-db');
  });

  it('replica lag over the budget: NOT READY with the lag and the budget', async () => {
    const { failed } = await check({ world: { regions: { 'us-west-2': { rds: { instances: { 'regami-db-replica': { replicaLagSeconds: 300 } } } } } } });
    expect(failed('database-failover')).toContain('replica lag: ReplicaLag 300s (budget 60s)');
  });

  it('Route 53 failover record with another set identifier: NOT READY', async () => {
    const { failed } = await check({ config: (c) => ({ ...c, dns: { ...c.dns, secondarySetIdentifier: 'us-west-2' } }) });
    expect(failed('database-failover')).toContain('Route 53 secondary record: no api.regami.com record with set identifier "us-west-2" in Z1234567890ABC');
  });

  it('a configured alarm that does not exist: the runbook would never be triggered', async () => {
    const { failed, of } = await check({ config: (c) => ({ ...c, alarms: { ...c.alarms, cpu: ['acme-cpu-high*'] } }) });
    expect(failed('scale-ecs')).toContain('CPU alarms: acme-cpu-high*: no alarm matches "acme-cpu-high*": the runbook would never be triggered');
    expect(of('investigate-5xx').ready).toBe(true);
  });

  it('an alarm that measures something else than the config says: NOT READY naming the metric', async () => {
    const { failed } = await check({ config: (c) => ({ ...c, alarms: { ...c.alarms, cpu: ['regami-alb-5xx-high'] } }) });
    expect(failed('scale-ecs')).toContain('CPU alarms: regami-alb-5xx-high: regami-alb-5xx-high measures AWS/ApplicationELB HTTPCode_Target_5XX_Count, expected AWS/ECS CPUUtilization');
  });

  it('a scalable target capped below maxTasks: NOT READY', async () => {
    const { failed } = await check({ mutate: (h) => [...h.world.regions.get('us-east-1')!.autoscaling.targets.values()].forEach((t) => (t.maxCapacity = 6)) });
    expect(failed('scale-ecs')).toContain('scalable target bounds: target 2-6, guardrails 2-10: the target caps scale-out below maxTasks');
  });

  it('no previous task definition: rollback NOT READY, nothing to roll back to', async () => {
    const { failed } = await check({
      mutate: (h) => {
        const tds = h.world.regions.get('us-east-1')!.ecs.taskDefinitions;
        for (const key of [...tds.keys()]) if (key !== 'regami-api:41') tds.delete(key);
      },
    });
    expect(failed('rollback-deployment')).toContain('previous task definition: no ACTIVE revision of regami-api other than the current one: nothing to roll back to');
  });

  it('the configured CodeDeploy group does not exist: NOT READY', async () => {
    const { failed } = await check({ config: (c) => ({ ...c, codeDeploy: { ...c.codeDeploy, deploymentGroupName: 'regami-dg-typo' } }) });
    expect(failed('rollback-deployment')).toContain('CodeDeploy deployment group: regami-codedeploy/regami-dg-typo not found');
  });

  it('backups off: no restorable window, restore NOT READY', async () => {
    const { failed } = await check({ mutate: (h) => (rds(h, 'us-east-1').instances.get('regami-db-primary')!.backupRetentionPeriod = 0) });
    expect(failed('restore-from-backup')).toEqual(expect.arrayContaining(['backups enabled: backup retention 0 day(s)']));
  });

  it('no recent snapshot: restore NOT READY with the age', async () => {
    const { failed } = await check({
      mutate: (h) => {
        const snaps = rds(h, 'us-east-1').snapshots;
        for (const [id, s] of [...snaps.entries()]) if (h.world.now() - s.createdAt < 3 * 86400_000) snaps.delete(id); // days 1-3 (each at -d days + 5 min): day 4 is the newest left
      },
    });
    expect(failed('restore-from-backup').join('\n')).toMatch(/latest snapshot: newest snapshot 96h old \(at most 36h\)/);
  });

  it('DATABASE_URL missing from the service container: restore NOT READY', async () => {
    const { failed } = await check({
      mutate: (h) => {
        const td = h.world.regions.get('us-east-1')!.ecs.taskDefinitions.get('regami-api:41')!;
        for (const c of td.def.containerDefinitions ?? []) c.environment = (c.environment ?? []).filter((e) => e.name !== 'DATABASE_URL');
      },
    });
    expect(failed('restore-from-backup')).toContain('DATABASE_URL: container app of the current task definition has no DATABASE_URL: the switch has nothing to rewrite');
  });

  // The iam:PassRole grant covers only the configured roles (infra/permissions.ts): a live revision with
  // another role would be denied at step 5 (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html).
  it('the secondary\'s live task definition carries another task role: failover NOT READY naming the mismatch', async () => {
    const { failed, of } = await check({ mutate: (h) => (h.world.regions.get('us-west-2')!.ecs.taskDefinitions.get('regami-api:12')!.def.taskRoleArn = 'arn:aws:iam::123456789012:role/regami-api-task-v2') });
    expect(failed('database-failover')).toEqual([
      'secondary task roles: regami-api:12 has taskRoleArn arn:aws:iam::123456789012:role/regami-api-task-v2, secondaryService.taskRoleArn is arn:aws:iam::123456789012:role/regami-api-task: registering its copy would pass a role the iam:PassRole grant does not cover (denied at step 5); set secondaryService to the live roles and deploy, or fix the task definition',
    ]);
    expect(of('restore-from-backup').ready).toBe(true);
  });

  it('the primary\'s live task definition has no execution role while one is configured: restore NOT READY; configured to match, READY', async () => {
    const noExec = (h: SimHarness) => delete h.world.regions.get('us-east-1')!.ecs.taskDefinitions.get('regami-api:41')!.def.executionRoleArn;
    const { failed } = await check({ mutate: noExec });
    expect(failed('restore-from-backup')).toEqual([expect.stringMatching(/^task roles: regami-api:41 has executionRoleArn \(none\), service\.executionRoleArn is arn:aws:iam::123456789012:role\/ecsTaskExecutionRole: /)]);
    const fixed = await check({ mutate: noExec, config: (c) => ({ ...c, service: { ...c.service, executionRoleArn: '' } }) });
    expect(fixed.of('restore-from-backup').ready).toBe(true);
    expect(fixed.of('restore-from-backup').checks.find((c) => c.name === 'task roles')?.reason).toBe('regami-api:41 carries the configured roles (task arn:aws:iam::123456789012:role/regami-api-task, execution none)');
  });

  describe('DATABASE_URL as a Secrets Manager / SSM reference (read as the runbooks read it, never kept)', () => {
    const secret = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:regami/db/url-AbCdEf';
    const readingFrom = (east: string, west: string) => ({
      regions: {
        'us-east-1': { ecs: { taskDefinitions: { 'regami-api:41': { containers: { app: { environment: { DATABASE_URL: null }, secrets: { DATABASE_URL: east } } } } } } },
        'us-west-2': { ecs: { taskDefinitions: { 'regami-api:12': { containers: { app: { environment: { DATABASE_URL: null }, secrets: { DATABASE_URL: west } } } } } } },
      },
    });
    const value = 'postgresql://regami_app:pw@regami-db-primary.c9akciq32.us-east-1.rds.amazonaws.com:5432/regami';

    it('readable in each service\'s Region (a replica in us-west-2): READY, naming the reference', async () => {
      const secrets = { regions: { 'us-east-1': { secretsmanager: { secrets: { 'regami/db/url': { value, arnSuffix: 'AbCdEf', replicas: { 'us-west-2': {} } } } } } } };
      const { of, h } = await check({ world: mergeWorld(readingFrom(secret, secret) as never, secrets) });
      expect(of('database-failover').ready).toBe(true);
      expect(of('restore-from-backup').checks.find((c) => c.name === 'DATABASE_URL')?.reason).toContain(`reads DATABASE_URL from ${secret}`);
      expect(h.observed.filter((c) => isMutatingCall(c.service, c.operation))).toEqual([]);
    });

    it('the secret has no replica in the secondary region: failover NOT READY (the primary region may be down), restore READY', async () => {
      const secrets = { regions: { 'us-east-1': { secretsmanager: { secrets: { 'regami/db/url': { value, arnSuffix: 'AbCdEf' } } } } } };
      const { of, failed } = await check({ world: mergeWorld(readingFrom(secret, secret) as never, secrets) });
      expect(failed('database-failover')).toContain(
        `secondary DATABASE_URL: container app reads DATABASE_URL from ${secret} that the runbook cannot follow: Secrets Manager secret ${secret} lives in us-east-1 and has no replica in us-west-2, where the service runs (replicate it there: aws secretsmanager replicate-secret-to-regions --secret-id ${secret} --add-replica-regions Region=us-west-2)`,
      );
      expect(of('restore-from-backup').ready).toBe(true);
    });

    it('an SSM parameter that does not exist, and one outside the configured prefix: NOT READY with each reason', async () => {
      const { failed } = await check({ world: readingFrom('/regami/db-url', '/other/db-url') });
      expect(failed('restore-from-backup')).toContain('DATABASE_URL: container app reads DATABASE_URL from /regami/db-url that the runbook cannot follow: SSM parameter /regami/db-url cannot be read in us-east-1 (ParameterNotFound)');
      expect(failed('database-failover').join('\n')).toContain('SSM parameter /other/db-url is outside database.urlReferences (parameter names starting "/regami/")');
    });
  });

  it('a P3 email subscription not confirmed: NOT READY, nobody receives P3 pages', async () => {
    const { failed, of } = await check({
      mutate: (h) => h.world.regions.get('us-east-1')!.sns.subscriptions.filter((s) => s.topicArn.endsWith('-p3')).forEach((s) => (s.pending = true)),
    });
    expect(failed('restore-from-backup')).toContain('P3 subscription confirmed: 1 subscription(s) pending confirmation: nobody receives P3 pages until confirmed');
    expect(of('scale-ecs').ready).toBe(true);
  });

  it('a fact that cannot be read fails its check by name (fail closed), the others still run', async () => {
    const { failed, of } = await check({ config: (c) => ({ ...c, dns: { ...c.dns, hostedZoneId: 'ZNOSUCHZONE' } }) });
    expect(failed('database-failover').join('\n')).toMatch(/Route 53 failover records: could not be read: NoSuchHostedZone/);
    expect(of('database-failover').checks.find((c) => c.name === 'replica')?.ok).toBe(true);
  });
});

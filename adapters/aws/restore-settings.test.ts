/**
 * A restored instance carries the primary's production settings. RDS's own defaults would give
 * it the engine's default parameter and option groups, a single AZ, no deletion protection and no
 * tags (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_RestoreDBInstanceFromDBSnapshot.html,
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_RestoreDBInstanceToPointInTime.html).
 */
import { DescribeDBInstancesCommand, RestoreDBInstanceFromDBSnapshotCommand } from '@aws-sdk/client-rds';
import { defaultConfig } from '../../domain/config';
import { simHarness } from '../../test/simulated-region/test-support';
import { AwsRestoreOperations } from './restore';

const plan = (target: string) => ({ targetInstanceId: target, instanceClass: 'db.r6g.large', subnetGroupName: defaultConfig.database.subnetGroupName, securityGroupIds: defaultConfig.database.securityGroupIds, preRestoreSnapshotId: 'x' });

describe('restores like production', () => {
  it('the simulator gives a restore that names nothing the engine defaults (as RDS does)', async () => {
    const h = simHarness();
    const rds = h.aws.in('us-east-1').rds;
    const snapshot = Object.keys(h.world.spec.regions['us-east-1']!.rds!.snapshots!)[0]!;
    await rds.send(new RestoreDBInstanceFromDBSnapshotCommand({ DBInstanceIdentifier: 'bare-restore', DBSnapshotIdentifier: snapshot }));
    const db = (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'bare-restore' }))).DBInstances?.[0];
    expect(db).toMatchObject({ MultiAZ: false, DeletionProtection: false, DBParameterGroups: [{ DBParameterGroupName: 'default.postgres15' }], OptionGroupMemberships: [{ OptionGroupName: 'default:postgres-15' }], TagList: [] });
  });

  it.each(['snapshot', 'point-in-time'])('a %s restore copies parameter group, option group, Multi-AZ, storage type, KMS key, deletion protection and tags from the primary', async (kind) => {
    const h = simHarness();
    const ops = new AwsRestoreOperations(h.aws, defaultConfig, async () => undefined);
    const primary = defaultConfig.database.primaryInstanceId;
    const target = `${primary}-restored-1`;
    if (kind === 'snapshot') await ops.restoreFromSnapshot(plan(target), Object.keys(h.world.spec.regions['us-east-1']!.rds!.snapshots!)[0]!, primary);
    else await ops.restoreToPointInTime(plan(target), primary, h.world.now() - 3600_000);
    const rds = h.aws.in('us-east-1').rds;
    const [source, restored] = await Promise.all([primary, target].map(async (id) => (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }))).DBInstances?.[0]));
    expect(restored?.DBParameterGroups?.[0]?.DBParameterGroupName).toBe('regami-postgres15');
    expect(restored?.OptionGroupMemberships?.[0]?.OptionGroupName).toBe('regami-postgres15-options');
    for (const field of ['MultiAZ', 'StorageType', 'KmsKeyId', 'DeletionProtection'] as const) expect({ field, value: restored?.[field] }).toEqual({ field, value: source?.[field] });
    expect(restored?.MultiAZ).toBe(true);
    expect(restored?.TagList).toEqual(expect.arrayContaining([{ Key: 'application', Value: 'regami' }, { Key: 'cost-center', Value: 'platform' }, { Key: 'autopilot:restored-from', Value: primary }]));
    expect(restored?.PubliclyAccessible).toBe(false);
  });
});

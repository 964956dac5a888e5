import {
  CreateDBSnapshotCommand,
  DeleteDBInstanceCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  ModifyDBInstanceCommand,
  PromoteReadReplicaCommand,
  RestoreDBInstanceToPointInTimeCommand,
  paginateDescribeDBInstances,
  paginateDescribeDBSnapshots,
} from '@aws-sdk/client-rds';
import { simHarness } from './test-support';

const REPLICA = 'regami-db-replica';
const PRIMARY = 'regami-db-primary';

async function replica(h: ReturnType<typeof simHarness>) {
  const out = await h.aws.in('us-west-2').rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: REPLICA }));
  const inst = out.DBInstances?.[0];
  if (!inst) throw new Error('replica missing');
  return inst;
}

describe('simulated RDS through the real RDSClient', () => {
  test('a cross-region replica promotion goes modifying -> rebooting -> backing-up -> available over simulated minutes and stops being a replica', async () => {
    const h = simHarness();
    const before = await replica(h);
    expect(before.DBInstanceStatus).toBe('available');
    expect(before.ReadReplicaSourceDBInstanceIdentifier).toBe(`arn:aws:rds:us-east-1:123456789012:db:${PRIMARY}`);
    const primary = await h.aws.in('us-east-1').rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: PRIMARY }));
    expect(primary.DBInstances?.[0]?.ReadReplicaDBInstanceIdentifiers).toEqual([`arn:aws:rds:us-west-2:123456789012:db:${REPLICA}`]);

    const promoted = await h.aws.in('us-west-2').rds.send(new PromoteReadReplicaCommand({ DBInstanceIdentifier: REPLICA, BackupRetentionPeriod: 7 }));
    expect(promoted.DBInstance?.DBInstanceStatus).toBe('modifying');

    h.advance(59);
    expect((await replica(h)).DBInstanceStatus).toBe('modifying');
    h.advance(2);
    expect((await replica(h)).DBInstanceStatus).toBe('rebooting');
    h.advance(3 * 60);
    const midway = await replica(h);
    expect(midway.DBInstanceStatus).toBe('rebooting');
    expect(midway.ReadReplicaSourceDBInstanceIdentifier).toBeDefined();
    // The baseline replica has no automated backups (RDS for PostgreSQL replicas cannot): the
    // promotion turns them on, and RDS backs the new standalone instance up before it is available.
    h.advance(60);
    const backingUp = await replica(h);
    expect(backingUp.DBInstanceStatus).toBe('backing-up');
    expect(backingUp.ReadReplicaSourceDBInstanceIdentifier).toBeUndefined();

    h.advance(2 * 60);
    const after = await replica(h);
    expect(after.DBInstanceStatus).toBe('available');
    expect(after.ReadReplicaSourceDBInstanceIdentifier).toBeUndefined();
    expect(after.StatusInfos).toBeUndefined();
    expect(after.BackupRetentionPeriod).toBe(7);
    const primaryAfter = await h.aws.in('us-east-1').rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: PRIMARY }));
    expect(primaryAfter.DBInstances?.[0]?.ReadReplicaDBInstanceIdentifiers).toEqual([]);
  });

  // AWS: "Promoting a read replica to be a standalone DB instance" (RDS User Guide,
  // USER_ReadRepl.Promote): "RDS reboots the DB instance before making it available". The
  // instance keeps its identifier, and so the endpoint derived from it (only a rename moves the
  // endpoint): the failover registers its task definition on that endpoint while the
  // promotion runs (issue 18) and re-registers if the promoted endpoint differs after all.
  test('a promotion reboots the replica before it is available and keeps its endpoint', async () => {
    const h = simHarness();
    const before = await replica(h);
    await h.aws.in('us-west-2').rds.send(new PromoteReadReplicaCommand({ DBInstanceIdentifier: REPLICA, BackupRetentionPeriod: 7 }));
    const seen = new Set<string>();
    for (let t = 0; t <= 7 * 60; t += 30) {
      const r = await replica(h);
      seen.add(r.DBInstanceStatus ?? '?');
      expect(r.Endpoint).toEqual(before.Endpoint);
      h.advance(30);
    }
    expect([...seen]).toEqual(['modifying', 'rebooting', 'backing-up', 'available']);
  });

  test('promoting again, or promoting something that is not a replica, is refused as AWS does', async () => {
    const h = simHarness();
    await h.aws.in('us-west-2').rds.send(new PromoteReadReplicaCommand({ DBInstanceIdentifier: REPLICA }));
    await expect(h.aws.in('us-west-2').rds.send(new PromoteReadReplicaCommand({ DBInstanceIdentifier: REPLICA }))).rejects.toMatchObject({ name: 'InvalidDBInstanceStateFault' });
    await expect(h.aws.in('us-east-1').rds.send(new PromoteReadReplicaCommand({ DBInstanceIdentifier: PRIMARY }))).rejects.toMatchObject({ name: 'InvalidDBInstanceStateFault' });
    await expect(h.aws.in('us-east-1').rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'nope' }))).rejects.toMatchObject({ name: 'DBInstanceNotFoundFault', $metadata: { httpStatusCode: 404 } });
  });

  test('a hung promotion stays modifying until the hang is cleared, then completes', async () => {
    const h = simHarness({ faults: [{ id: 'stuck', kind: 'hang', what: 'rds-promotion', resource: REPLICA }] });
    await h.aws.in('us-west-2').rds.send(new PromoteReadReplicaCommand({ DBInstanceIdentifier: REPLICA }));
    h.advance(3600);
    expect((await replica(h)).DBInstanceStatus).toBe('modifying');
    h.world.clearFaults(['stuck']);
    // Released: it leaves 'modifying' now and still takes its remaining minutes to finish.
    expect((await replica(h)).DBInstanceStatus).toBe('rebooting');
    h.advance(5 * 60);
    // Past its reboot: the first automated backup the promotion turned on.
    expect((await replica(h)).DBInstanceStatus).toBe('backing-up');
    h.advance(61);
    expect((await replica(h)).DBInstanceStatus).toBe('available');
  });

  // Issue 15: the states a read replica is in, and the ones it passes through when promoted, as AWS
  // documents them:
  // - "Promoting a read replica to be a standalone DB instance"
  //   https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.Promote.html: "When you
  //   promote a read replica, replication is stopped and the read replica is rebooted. When the reboot
  //   is complete, the read replica is available as a new DB instance."
  // - "Enabling automated backups"
  //   https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithAutomatedBackups.Enabling.html:
  //   "When automated backups are turned on, your DB instance is taken offline and a backup is
  //   immediately created" (PromoteReadReplica's BackupRetentionPeriod above 0 turns them on).
  // - PromoteReadReplica https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_PromoteReadReplica.html:
  //   "a read replica cannot be promoted to a standalone instance when it is in the backing-up
  //   status"; InvalidDBInstanceState "The DB instance isn't in a valid state".
  // - "Viewing Amazon RDS DB instance status" https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/accessing-monitoring.html:
  //   modifying "The DB instance is being modified because of a customer request to modify the DB instance".
  describe('read replica states (RDS User Guide and API reference)', () => {
    test('a promotion that turns backups on: modifying, rebooting (still a replica), backing-up once the reboot completed (no longer one), then available', async () => {
      const h = simHarness();
      expect((await replica(h)).BackupRetentionPeriod).toBe(0);
      await h.aws.in('us-west-2').rds.send(new PromoteReadReplicaCommand({ DBInstanceIdentifier: REPLICA, BackupRetentionPeriod: 7 }));
      const states: string[] = [];
      for (let t = 0; t <= 7 * 60; t += 10) {
        const r = await replica(h);
        states.push(`${r.DBInstanceStatus}${r.ReadReplicaSourceDBInstanceIdentifier ? ' replica' : ''}`);
        h.advance(10);
      }
      expect([...new Set(states)]).toEqual(['modifying replica', 'rebooting replica', 'backing-up', 'available']);
      // Timings: modifying 60 s, rebooting until 300 s, the backup for the last 120 s of 420 s.
      expect(states.indexOf('rebooting replica')).toBe(6);
      expect(states.indexOf('backing-up')).toBe(30);
      expect(states.indexOf('available')).toBe(42);
    });

    test('a replica that already has automated backups (RDS for MySQL can) is promoted without a backup phase', async () => {
      const h = simHarness({ regions: { 'us-west-2': { rds: { instances: { [REPLICA]: { backupRetentionPeriod: 7, engine: 'mysql' } } } } } });
      await h.aws.in('us-west-2').rds.send(new PromoteReadReplicaCommand({ DBInstanceIdentifier: REPLICA, BackupRetentionPeriod: 7 }));
      const seen = new Set<string>();
      for (let t = 0; t <= 7 * 60; t += 30) {
        seen.add((await replica(h)).DBInstanceStatus ?? '?');
        h.advance(30);
      }
      expect([...seen]).toEqual(['modifying', 'rebooting', 'available']);
    });

    test('a replica backing up or modifying for a change of its own cannot be promoted (InvalidDBInstanceState) and stays a replica', async () => {
      const h = simHarness();
      const rds = h.aws.in('us-west-2').rds;
      h.world.apply({ kind: 'db-status', region: 'us-west-2', id: REPLICA, status: 'backing-up' });
      await expect(rds.send(new PromoteReadReplicaCommand({ DBInstanceIdentifier: REPLICA, BackupRetentionPeriod: 7 }))).rejects.toMatchObject({ name: 'InvalidDBInstanceStateFault', $metadata: { httpStatusCode: 400 } });
      h.world.apply({ kind: 'db-status', region: 'us-west-2', id: REPLICA, status: 'available' });

      const modified = await rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: REPLICA, DBInstanceClass: 'db.r6g.large', ApplyImmediately: true }));
      expect(modified.DBInstance?.DBInstanceStatus).toBe('modifying');
      const during = await replica(h);
      expect(during).toMatchObject({ DBInstanceStatus: 'modifying', PendingModifiedValues: { DBInstanceClass: 'db.r6g.large' } });
      expect(during.ReadReplicaSourceDBInstanceIdentifier).toBe(`arn:aws:rds:us-east-1:123456789012:db:${PRIMARY}`);
      await expect(rds.send(new PromoteReadReplicaCommand({ DBInstanceIdentifier: REPLICA, BackupRetentionPeriod: 7 }))).rejects.toMatchObject({ name: 'InvalidDBInstanceStateFault' });
      expect((await replica(h)).DBInstanceStatus).toBe('modifying');

      h.advance(90);
      const after = await replica(h);
      expect(after).toMatchObject({ DBInstanceStatus: 'available', DBInstanceClass: 'db.r6g.large' });
      expect(after.PendingModifiedValues).toEqual({});
      await expect(rds.send(new PromoteReadReplicaCommand({ DBInstanceIdentifier: REPLICA, BackupRetentionPeriod: 7 }))).resolves.toMatchObject({ DBInstance: { DBInstanceStatus: 'modifying' } });
    });

    test('a world can start with a modification under way: modifying with its pending values until it completes', async () => {
      const h = simHarness({ regions: { 'us-west-2': { rds: { instances: { [REPLICA]: { status: 'modifying', modification: { instanceClass: 'db.r6g.large', completesAt: 1200 } } } } } } });
      expect(await replica(h)).toMatchObject({ DBInstanceStatus: 'modifying', DBInstanceClass: 'db.t3.medium', PendingModifiedValues: { DBInstanceClass: 'db.r6g.large' } });
      h.advance(1199);
      expect((await replica(h)).DBInstanceStatus).toBe('modifying');
      h.advance(1);
      expect(await replica(h)).toMatchObject({ DBInstanceStatus: 'available', DBInstanceClass: 'db.r6g.large', PendingModifiedValues: {} });
    });

    test('the spec rejects a modification on an instance in another state, and a promotion with no time to reboot', () => {
      expect(() => simHarness({ regions: { 'us-west-2': { rds: { instances: { [REPLICA]: { status: 'available', modification: { instanceClass: 'db.r6g.large', completesAt: 60 } } } } } } })).toThrow(
        /modification: an instance being modified is 'modifying', not 'available'/,
      );
      expect(() => simHarness({ regions: { 'us-west-2': { rds: { timings: { promoteTotalSeconds: 150 } } } } })).toThrow(/promoteModifyingSeconds \+ promoteBackupSeconds \(60 \+ 120\) must be below promoteTotalSeconds \(150\)/);
    });
  });

  test('a primary that recovers mid-failover: scheduled status changes apply at their simulated time and emit RDS events', async () => {
    const h = simHarness({
      regions: { 'us-east-1': { rds: { instances: { [PRIMARY]: { status: 'failed' } } } } },
      schedule: [{ at: 180, change: { kind: 'db-status', region: 'us-east-1', id: PRIMARY, status: 'available' }, note: 'primary recovers' }],
    });
    const status = async () => (await h.aws.in('us-east-1').rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: PRIMARY }))).DBInstances?.[0]?.DBInstanceStatus;
    expect(await status()).toBe('failed');
    h.advance(179);
    expect(await status()).toBe('failed');
    h.advance(1);
    expect(await status()).toBe('available');
    expect(h.world.applied.map((a) => a.note)).toEqual(['primary recovers']);
    const event = h.world.awsEvents.find((e) => e.source === 'aws.rds');
    expect(event).toMatchObject({ 'detail-type': 'RDS DB Instance Event', detail: { EventID: 'RDS-EVENT-0006', SourceIdentifier: PRIMARY } });
    expect(event?.time).toBe('2026-01-15T03:03:00Z');
  });

  test('point-in-time restore validates the restore time against the restorable window and creates a new instance over minutes', async () => {
    const h = simHarness();
    const rds = h.aws.in('us-east-1').rds;
    const primary = (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: PRIMARY }))).DBInstances?.[0];
    const latest = primary?.LatestRestorableTime?.getTime() ?? 0;
    expect(latest).toBe(h.world.now() - 5 * 60_000);
    await expect(
      rds.send(new RestoreDBInstanceToPointInTimeCommand({ SourceDBInstanceIdentifier: PRIMARY, TargetDBInstanceIdentifier: 'regami-db-pitr', RestoreTime: new Date(latest + 60_000) })),
    ).rejects.toMatchObject({ name: 'InvalidRestoreFault' });
    await expect(
      rds.send(new RestoreDBInstanceToPointInTimeCommand({ SourceDBInstanceIdentifier: PRIMARY, TargetDBInstanceIdentifier: 'regami-db-pitr', RestoreTime: new Date(h.world.now() - 8 * 86400_000) })),
    ).rejects.toMatchObject({ name: 'InvalidRestoreFault' });

    const restored = await rds.send(new RestoreDBInstanceToPointInTimeCommand({ SourceDBInstanceIdentifier: PRIMARY, TargetDBInstanceIdentifier: 'regami-db-pitr', RestoreTime: new Date(latest - 3600_000) }));
    expect(restored.DBInstance).toMatchObject({ DBInstanceIdentifier: 'regami-db-pitr', DBInstanceStatus: 'creating' });
    expect(restored.DBInstance?.Endpoint).toBeUndefined();
    h.advance(10 * 60);
    const pitr = async () => (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'regami-db-pitr' }))).DBInstances?.[0];
    expect((await pitr())?.DBInstanceStatus).toBe('creating');
    h.advance(5 * 60);
    expect((await pitr())?.DBInstanceStatus).toBe('available');
    expect((await pitr())?.Endpoint?.Address).toBe('regami-db-pitr.c9akciq32.us-east-1.rds.amazonaws.com');
  });

  test('a manual snapshot is creating, then available', async () => {
    const h = simHarness();
    const rds = h.aws.in('us-east-1').rds;
    const created = await rds.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: PRIMARY, DBSnapshotIdentifier: 'regami-db-before-restore-20260115-030000' }));
    expect(created.DBSnapshot).toMatchObject({ Status: 'creating', SnapshotType: 'manual' });
    await expect(rds.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: PRIMARY, DBSnapshotIdentifier: 'regami-db-before-restore-20260115-030000' }))).rejects.toMatchObject({ name: 'DBSnapshotAlreadyExistsFault' });
    h.advance(5 * 60);
    const out = await rds.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: 'regami-db-before-restore-20260115-030000' }));
    expect(out.DBSnapshots?.[0]).toMatchObject({ Status: 'available', PercentProgress: 100 });
  });

  test('paginators walk every page (the simulator answers short pages)', async () => {
    const extra = Object.fromEntries(['a', 'b', 'c', 'd'].map((x) => [`regami-db-extra-${x}`, { status: 'available' }]));
    const h = simHarness({ regions: { 'us-east-1': { rds: { instances: extra } } } });
    const ids: string[] = [];
    let pages = 0;
    for await (const page of paginateDescribeDBInstances({ client: h.aws.in('us-east-1').rds }, {})) {
      pages++;
      for (const i of page.DBInstances ?? []) ids.push(i.DBInstanceIdentifier ?? '');
    }
    expect(pages).toBe(3);
    expect(ids.sort()).toEqual([PRIMARY, ...Object.keys(extra)].sort());

    const snaps: string[] = [];
    for await (const page of paginateDescribeDBSnapshots({ client: h.aws.in('us-east-1').rds }, { DBInstanceIdentifier: PRIMARY, SnapshotType: 'automated' })) {
      for (const s of page.DBSnapshots ?? []) snaps.push(s.DBSnapshotIdentifier ?? '');
    }
    expect(snaps).toHaveLength(7);
    expect(snaps[6]).toBe('rds:regami-db-primary-2026-01-14-03-05');
  });

  test('an operation the simulator does not implement fails loudly with UnknownOperationException and is recorded', async () => {
    const h = simHarness();
    await expect(h.aws.in('us-east-1').rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: PRIMARY, SkipFinalSnapshot: true }))).rejects.toMatchObject({
      name: 'UnknownOperationException',
      $metadata: { httpStatusCode: 400 },
      message: expect.stringContaining('RDS.DeleteDBInstance'),
    });
    expect(h.world.unknownOperations()).toEqual([expect.objectContaining({ service: 'RDS', operation: 'DeleteDBInstance', outcome: 'error', region: 'us-east-1' })]);
    expect(h.observed.filter((c) => c.operation === 'DeleteDBInstance')).toHaveLength(1);
  });
});

/**
 * RDS: instances (primary, cross-region replica, restored copies) and snapshots.
 *
 * PromoteReadReplica: 'modifying' at once, 'rebooting' after promoteModifyingSeconds, no longer a
 * replica once the reboot completes, 'available' promoteTotalSeconds after the call (runbook:
 * 5-10 min). A promotion that turns automated backups on (a replica with retention 0, as every
 * RDS for PostgreSQL replica is) spends its last promoteBackupSeconds 'backing-up'.
 * Restores create a new instance 'creating' -> 'backing-up' -> 'available'.
 */
import * as sdk from '@aws-sdk/client-rds';
import type {
  CreateDBSnapshotCommandInput,
  CreateDBSnapshotCommandOutput,
  DBInstance,
  DBSnapshot,
  DescribeDBInstanceAutomatedBackupsCommandInput,
  DescribeDBInstanceAutomatedBackupsCommandOutput,
  DescribeDBInstancesCommandInput,
  DescribeDBInstancesCommandOutput,
  DescribeDBSnapshotsCommandInput,
  DescribeDBSnapshotsCommandOutput,
  ModifyDBInstanceCommandInput,
  ModifyDBInstanceCommandOutput,
  PromoteReadReplicaCommandInput,
  PromoteReadReplicaCommandOutput,
  RebootDBInstanceCommandInput,
  RebootDBInstanceCommandOutput,
  RestoreDBInstanceFromDBSnapshotCommandInput,
  RestoreDBInstanceFromDBSnapshotCommandOutput,
  RestoreDBInstanceToPointInTimeCommandInput,
  RestoreDBInstanceToPointInTimeCommandOutput,
} from '@aws-sdk/client-rds';
import { awsError } from '../errors';
import { paginate } from '../paging';
import { seriesAt, spliceSeries } from '../signals';
import type { RdsSpec, RdsTimings, SeriesSpec } from '../spec';
import type { SimWorld } from '../world';
import { arnIn, authReq, isArn } from '../iam-arns';
import type { AuthRequest } from '../iam';
import { obj, map, str, num, bool, oneOf, time, strings, stringMap, series, type Json, type Problems } from '../spec-checks';
import type { OpContext, IamCall, ServiceSim } from './index';

type Out<T> = Omit<T, '$metadata'>;

export interface DbInstanceState {
  id: string;
  arn: string;
  resourceId: string;
  status: string;
  instanceClass: string;
  engine: string;
  engineVersion: string;
  address: string;
  port: number;
  dbName?: string;
  masterUsername: string;
  /** Source id (same region) or ARN (cross-region) while a read replica. */
  replicaOf?: string;
  lag?: SeriesSpec;
  backupRetentionPeriod: number;
  multiAZ: boolean;
  createdAt: number;
  earliestRestorable?: number;
  /** Set when the instance stopped taking writes (failed, stopped...): restores cannot go past it. */
  frozenRestorable?: number;
  /** When a PromoteReadReplica completed (the instance became available as a standalone). */
  promotedAt?: number;
  /** Periods the instance did not serve (`to` absent: still down). Its replicas replay nothing then. */
  outages?: { from: number; to?: number }[];
  subnetGroupName: string;
  securityGroupIds: string[];
  deletionProtection: boolean;
  availabilityZone: string;
  tags: Record<string, string>;
  pending: Record<string, unknown>;
  /** Unset: the engine's default group (what RDS uses when a create or restore names none). */
  parameterGroupName?: string;
  optionGroupName?: string;
  storageType?: string;
  kmsKeyId?: string;
  monitoringInterval?: number;
}

export interface DbSnapshotState {
  id: string;
  instanceId: string;
  type: 'automated' | 'manual';
  status: string;
  createdAt: number;
  engine: string;
  engineVersion: string;
  allocatedStorage: number;
  percentProgress: number;
  port: number;
  availabilityZone: string;
  instanceCreatedAt: number;
}

export interface RdsState {
  instances: Map<string, DbInstanceState>;
  snapshots: Map<string, DbSnapshotState>;
  timings: RdsTimings;
}

declare module '../state' {
  interface RegionState {
    rds: RdsState;
  }
}

export const DEFAULT_TIMINGS: RdsTimings = { promoteModifyingSeconds: 60, promoteTotalSeconds: 420, promoteBackupSeconds: 120, modifySeconds: 90, snapshotSeconds: 300, restoreSeconds: 900 };

/** Statuses in which the database accepts connections. */
const SERVING = new Set(['available', 'modifying', 'backing-up', 'maintenance', 'upgrading', 'configuring-enhanced-monitoring', 'storage-optimization']);

const PAGE_INSTANCES = 2;
const PAGE_SNAPSHOTS = 3;

function initRds(world: SimWorld, region: string, spec: RdsSpec | undefined): RdsState {
  const state: RdsState = { instances: new Map(), snapshots: new Map(), timings: { ...DEFAULT_TIMINGS, ...(spec?.timings ?? {}) } };
  for (const [id, s] of Object.entries(spec?.instances ?? {})) {
    const backup = s.backupRetentionPeriod ?? 7;
    const inst = newInstance(world, region, id, {
      status: s.status ?? 'available',
      instanceClass: s.instanceClass ?? 'db.t3.medium',
      engine: s.engine ?? 'postgres',
      engineVersion: s.engineVersion ?? '15.7',
      address: s.endpointAddress,
      port: s.port ?? 5432,
      dbName: s.dbName,
      masterUsername: s.masterUsername ?? 'postgres',
      replicaOf: s.replicaOf,
      lag: s.replicaLagSeconds,
      backupRetentionPeriod: backup,
      multiAZ: s.multiAZ ?? false,
      createdAt: world.toMs(s.createdAt ?? -365 * 86400),
      subnetGroupName: s.subnetGroupName ?? 'default',
      securityGroupIds: s.vpcSecurityGroupIds ?? [],
      deletionProtection: s.deletionProtection ?? false,
      availabilityZone: s.availabilityZone ?? `${region}a`,
      tags: s.tags ?? {},
      parameterGroupName: s.parameterGroupName,
      optionGroupName: s.optionGroupName,
      storageType: s.storageType,
      kmsKeyId: s.kmsKeyId,
      monitoringInterval: s.monitoringInterval,
    });
    if (s.modification) {
      // A ModifyDBInstance (ApplyImmediately) already under way at the start: 'modifying', the
      // changes listed in PendingModifiedValues until they are applied at completesAt.
      const m = s.modification;
      inst.status = 'modifying';
      inst.pending = pendingOf({ DBInstanceClass: m.instanceClass, BackupRetentionPeriod: m.backupRetentionPeriod, MultiAZ: m.multiAZ });
      world.at(world.toMs(m.completesAt), `rds ${id} modification applied`, () => applyPending(inst), { what: 'rds-modify', region, resource: id });
    }
    if (backup > 0) inst.earliestRestorable = s.earliestRestorableTime !== undefined ? world.toMs(s.earliestRestorableTime) : Math.max(inst.createdAt, world.startMs - backup * 86400_000);
    if (s.latestRestorableTime !== undefined) inst.frozenRestorable = world.toMs(s.latestRestorableTime);
    else if (!SERVING.has(inst.status)) inst.frozenRestorable = world.startMs;
    if (!SERVING.has(inst.status)) inst.outages = [{ from: world.startMs }];
    state.instances.set(id, inst);
  }
  for (const [id, s] of Object.entries(spec?.snapshots ?? {})) {
    const source = state.instances.get(s.instanceId);
    state.snapshots.set(id, {
      id,
      instanceId: s.instanceId,
      type: s.type ?? (id.startsWith('rds:') ? 'automated' : 'manual'),
      status: s.status ?? 'available',
      createdAt: world.toMs(s.createdAt),
      engine: s.engine ?? source?.engine ?? 'postgres',
      engineVersion: source?.engineVersion ?? '15.7',
      allocatedStorage: s.allocatedStorage ?? 100,
      percentProgress: (s.status ?? 'available') === 'available' ? 100 : 0,
      port: source?.port ?? 5432,
      availabilityZone: source?.availabilityZone ?? `${region}a`,
      instanceCreatedAt: source?.createdAt ?? world.startMs,
    });
  }
  return state;
}

function newInstance(
  world: SimWorld,
  region: string,
  id: string,
  v: Omit<DbInstanceState, 'id' | 'arn' | 'resourceId' | 'address' | 'pending'> & { address?: string },
): DbInstanceState {
  return {
    ...v,
    id,
    arn: `arn:aws:rds:${region}:${world.account}:db:${id}`,
    resourceId: `db-${world.ids.upper(26)}`,
    address: v.address ?? `${id}.c9akciq32.${region}.rds.amazonaws.com`,
    pending: {},
  };
}

// ------------------------------------------------------------ queries used by other modules

export function findDbInstance(world: SimWorld, region: string, id: string): DbInstanceState | undefined {
  return world.region(region).rds.instances.get(id);
}

export function dbInstanceStatus(world: SimWorld, region: string, id: string): string | undefined {
  return findDbInstance(world, region, id)?.status;
}

/**
 * ReplicaLag at `atMs` for a replica (undefined when not a replica or no lag known).
 *
 * RDS for PostgreSQL computes ReplicaLag on the replica as
 * `now() - pg_last_xact_replay_timestamp()` (AWS: "Monitoring and tuning the replication
 * process", USER_PostgreSQL.Replication.ReadReplicas.Monitor): the time since the last
 * replayed commit. Once the source stops serving nothing more is committed or replayed, so
 * the lag grows by one second per second from the lag it had when the source stopped; it
 * follows the scenario's series again once the source serves again.
 */
export function replicaLagAt(world: SimWorld, region: string, id: string, atMs: number): number | undefined {
  const inst = findDbInstance(world, region, id);
  if (!inst?.replicaOf || inst.lag === undefined) return undefined;
  const outage = replicaSource(world, region, inst.replicaOf)?.outages?.find((o) => atMs > o.from && (o.to === undefined || atMs < o.to));
  if (outage) {
    const atStop = seriesAt(inst.lag, world.offsetSeconds(outage.from));
    if (atStop === undefined || atStop < 0) return atStop;
    return atStop + Math.floor((atMs - outage.from) / 1000);
  }
  return seriesAt(inst.lag, world.offsetSeconds(atMs));
}

/** The source of a replica: an id in the replica's region or an ARN in any region. */
function replicaSource(world: SimWorld, region: string, replicaOf: string): DbInstanceState | undefined {
  const m = /^arn:[^:]+:rds:([^:]+):\d+:db:(.+)$/.exec(replicaOf);
  if (!m) return findDbInstance(world, region, replicaOf);
  return world.regions.has(m[1] as string) ? findDbInstance(world, m[1] as string, m[2] as string) : undefined;
}

function setDbStatus(world: SimWorld, region: string, id: string, status: string, at: number): void {
  const inst = mustFind(world, region, id);
  const wasServing = SERVING.has(inst.status);
  inst.status = status;
  if (wasServing && !SERVING.has(status)) {
    inst.frozenRestorable = at;
    (inst.outages ??= []).push({ from: at });
    if (status === 'failed' || status === 'incompatible-network' || status === 'storage-full') {
      instanceEvent(world, region, inst, at, 'failure', 'RDS-EVENT-0031', `DB instance put into ${status} state. RDS recommends that you initiate a point-in-time-restore.`);
    } else if (status === 'stopped') {
      instanceEvent(world, region, inst, at, 'notification', 'RDS-EVENT-0087', 'DB instance stopped.');
    } else {
      instanceEvent(world, region, inst, at, 'availability', 'RDS-EVENT-0004', 'DB instance shutdown.');
    }
  } else if (!wasServing && SERVING.has(status)) {
    inst.frozenRestorable = undefined;
    const open = inst.outages?.find((o) => o.to === undefined);
    if (open) open.to = at;
    instanceEvent(world, region, inst, at, 'availability', 'RDS-EVENT-0006', 'DB instance restarted.');
  }
}

function setReplicaLag(world: SimWorld, region: string, id: string, seconds: number, at: number): void {
  const inst = mustFind(world, region, id);
  inst.lag = spliceSeries(inst.lag ?? seconds, world.offsetSeconds(at), seconds);
}

function mustFind(world: SimWorld, region: string, id: string): DbInstanceState {
  const inst = findDbInstance(world, region, id);
  if (!inst) throw new Error(`world change: no DB instance '${id}' in ${region}`);
  return inst;
}

function instanceEvent(world: SimWorld, region: string, inst: DbInstanceState, at: number, category: string, eventId: string, message: string): void {
  world.emitAwsEvent(at, region, 'aws.rds', 'RDS DB Instance Event', [inst.arn], {
    EventCategories: [category],
    SourceType: 'DB_INSTANCE',
    SourceArn: inst.arn,
    Date: new Date(at).toISOString(),
    Message: message,
    SourceIdentifier: inst.id,
    EventID: eventId,
  });
}

// ------------------------------------------------------------ shapes

function latestRestorable(inst: DbInstanceState, now: number): number | undefined {
  if (inst.backupRetentionPeriod <= 0) return undefined;
  const live = Math.floor((now - 5 * 60_000) / 1000) * 1000;
  return inst.frozenRestorable !== undefined ? Math.min(inst.frozenRestorable, live + 5 * 60_000) : live;
}

function replicasOf(world: SimWorld, source: DbInstanceState, sourceRegion: string): string[] {
  const out: string[] = [];
  for (const [regionName, r] of world.regions) {
    for (const inst of r.rds.instances.values()) {
      if (!inst.replicaOf) continue;
      if (inst.replicaOf === source.arn || (regionName === sourceRegion && inst.replicaOf === source.id)) out.push(regionName === sourceRegion ? inst.id : inst.arn);
    }
  }
  return out;
}

function describeInstance(ctx: OpContext, inst: DbInstanceState): DBInstance {
  const restorable = latestRestorable(inst, ctx.now);
  const d: DBInstance = {
    DBInstanceIdentifier: inst.id,
    DBInstanceClass: inst.instanceClass,
    Engine: inst.engine,
    DBInstanceStatus: inst.status,
    MasterUsername: inst.masterUsername,
    DBName: inst.dbName,
    AllocatedStorage: 100,
    InstanceCreateTime: new Date(inst.createdAt),
    PreferredBackupWindow: '03:00-03:30',
    BackupRetentionPeriod: inst.backupRetentionPeriod,
    DBSecurityGroups: [],
    VpcSecurityGroups: inst.securityGroupIds.map((id) => ({ VpcSecurityGroupId: id, Status: 'active' })),
    DBParameterGroups: [{ DBParameterGroupName: inst.parameterGroupName ?? defaultParameterGroup(inst), ParameterApplyStatus: 'in-sync' }],
    OptionGroupMemberships: [{ OptionGroupName: inst.optionGroupName ?? defaultOptionGroup(inst), Status: 'in-sync' }],
    AvailabilityZone: inst.availabilityZone,
    DBSubnetGroup: { DBSubnetGroupName: inst.subnetGroupName, DBSubnetGroupDescription: inst.subnetGroupName, VpcId: 'vpc-0sim000000000001', SubnetGroupStatus: 'Complete', Subnets: [] },
    PreferredMaintenanceWindow: 'sun:05:00-sun:05:30',
    PendingModifiedValues: { ...(inst.pending as object) },
    MultiAZ: inst.multiAZ,
    EngineVersion: inst.engineVersion,
    AutoMinorVersionUpgrade: true,
    ReadReplicaDBInstanceIdentifiers: replicasOf(ctx.world, inst, ctx.region),
    ReadReplicaDBClusterIdentifiers: [],
    LicenseModel: 'postgresql-license',
    PubliclyAccessible: false,
    StorageType: inst.storageType ?? 'gp3',
    DbInstancePort: 0,
    StorageEncrypted: true,
    KmsKeyId: inst.kmsKeyId ?? `arn:aws:kms:${ctx.region}:${ctx.world.account}:key/aws-rds-default`,
    DbiResourceId: inst.resourceId,
    CACertificateIdentifier: 'rds-ca-rsa2048-g1',
    CopyTagsToSnapshot: true,
    MonitoringInterval: inst.monitoringInterval ?? 0,
    DBInstanceArn: inst.arn,
    IAMDatabaseAuthenticationEnabled: false,
    PerformanceInsightsEnabled: false,
    DeletionProtection: inst.deletionProtection,
    TagList: Object.entries(inst.tags).map(([Key, Value]) => ({ Key, Value })),
    NetworkType: 'IPV4',
    BackupTarget: 'region',
  };
  // Creating instances have no endpoint yet.
  if (inst.status !== 'creating') d.Endpoint = { Address: inst.address, Port: inst.port, HostedZoneId: 'Z2R2ITUGPM61AM' };
  if (restorable !== undefined) d.LatestRestorableTime = new Date(restorable);
  if (inst.replicaOf) {
    d.ReadReplicaSourceDBInstanceIdentifier = inst.replicaOf;
    d.ReplicaMode = undefined;
    d.StatusInfos = [{ StatusType: 'read replication', Normal: true, Status: 'replicating' }];
  }
  return d;
}

function describeSnapshot(ctx: OpContext, s: DbSnapshotState): DBSnapshot {
  return {
    DBSnapshotIdentifier: s.id,
    DBInstanceIdentifier: s.instanceId,
    SnapshotCreateTime: new Date(s.createdAt),
    Engine: s.engine,
    AllocatedStorage: s.allocatedStorage,
    Status: s.status,
    Port: s.port,
    AvailabilityZone: s.availabilityZone,
    VpcId: 'vpc-0sim000000000001',
    InstanceCreateTime: new Date(s.instanceCreatedAt),
    MasterUsername: 'regami_admin',
    EngineVersion: s.engineVersion,
    LicenseModel: 'postgresql-license',
    SnapshotType: s.type,
    PercentProgress: s.percentProgress,
    StorageType: 'gp3',
    Encrypted: true,
    DBSnapshotArn: `arn:aws:rds:${ctx.region}:${ctx.world.account}:snapshot:${s.id}`,
    IAMDatabaseAuthenticationEnabled: false,
    DbiResourceId: ctx.r.rds.instances.get(s.instanceId)?.resourceId,
    OriginalSnapshotCreateTime: new Date(s.createdAt),
    SnapshotTarget: 'region',
    TagList: [],
  };
}

// ------------------------------------------------------------ operations

function idOf(idOrArn: string): string {
  const m = /^arn:aws:rds:[^:]+:\d+:db:(.+)$/.exec(idOrArn);
  return m?.[1] ?? idOrArn;
}

function instanceOrFail(ctx: OpContext, id: string | undefined): DbInstanceState {
  if (!id) throw awsError('InvalidParameterValue', 'DBInstanceIdentifier is required', { status: 400 });
  const inst = ctx.r.rds.instances.get(idOf(id));
  if (!inst) throw awsError('DBInstanceNotFoundFault', `DBInstance ${id} not found.`, { status: 404, sdk });
  return inst;
}

function checkMaxRecords(n: number | undefined): void {
  if (n !== undefined && (n < 20 || n > 100)) throw awsError('InvalidParameterValue', `Invalid value ${n} for MaxRecords. Must be between 20 and 100`, { status: 400 });
}

function describeDBInstances(ctx: OpContext, input: DescribeDBInstancesCommandInput): Out<DescribeDBInstancesCommandOutput> {
  checkMaxRecords(input.MaxRecords);
  let list = [...ctx.r.rds.instances.values()].sort((a, b) => a.id.localeCompare(b.id));
  if (input.DBInstanceIdentifier) list = [instanceOrFail(ctx, input.DBInstanceIdentifier)];
  for (const f of input.Filters ?? []) {
    const values = (f.Values ?? []).map(idOf);
    if (f.Name === 'db-instance-id') list = list.filter((i) => values.includes(i.id));
    else if (f.Name === 'engine') list = list.filter((i) => values.includes(i.engine));
    else throw awsError('InvalidParameterValue', `Unrecognized filter name: ${f.Name}`, { status: 400 });
  }
  const page = paginate(list, input.Marker, input.MaxRecords, PAGE_INSTANCES, 'rds:instances');
  return { DBInstances: page.items.map((i) => describeInstance(ctx, i)), Marker: page.next };
}

/**
 * PromoteReadReplica as the RDS User Guide and API reference describe it:
 * - only a read replica, only in 'available' ("a read replica cannot be promoted to a standalone
 *   instance when it is in the backing-up status", API_PromoteReadReplica; any other state:
 *   InvalidDBInstanceState, "The DB instance isn't in a valid state");
 * - 'modifying' (a customer-requested change to the instance), then "replication is stopped and
 *   the read replica is rebooted. When the reboot is complete, the read replica is available as
 *   a new DB instance" (USER_ReadRepl.Promote): ReadReplicaSourceDBInstanceIdentifier goes when
 *   the reboot completes;
 * - a BackupRetentionPeriod above 0 on an instance without automated backups turns them on: "your
 *   DB instance is taken offline and a backup is immediately created"
 *   (USER_WorkingWithAutomatedBackups.Enabling): 'backing-up', then 'available'.
 */
function promoteReadReplica(ctx: OpContext, input: PromoteReadReplicaCommandInput): Out<PromoteReadReplicaCommandOutput> {
  const inst = instanceOrFail(ctx, input.DBInstanceIdentifier);
  if (!inst.replicaOf) throw awsError('InvalidDBInstanceStateFault', `DB Instance ${inst.id} is not a read replica.`, { status: 400, sdk });
  if (inst.status !== 'available') throw awsError('InvalidDBInstanceStateFault', `DB instance ${inst.id} is not in available state (${inst.status}).`, { status: 400, sdk });
  const { world, region } = ctx;
  const t = ctx.r.rds.timings;
  const started = ctx.now;
  const retention = input.BackupRetentionPeriod ?? (inst.backupRetentionPeriod || 1);
  const turnsBackupsOn = inst.backupRetentionPeriod === 0 && retention > 0;
  const rebootEnds = started + (t.promoteTotalSeconds - (turnsBackupsOn ? t.promoteBackupSeconds : 0)) * 1000;
  inst.status = 'modifying';
  const hang = { what: 'rds-promotion' as const, region, resource: inst.id };
  world.at(started + t.promoteModifyingSeconds * 1000, `rds ${inst.id} promotion: rebooting`, () => {
    inst.status = 'rebooting';
  }, hang);
  world.at(rebootEnds, `rds ${inst.id} promotion: rebooted, a standalone instance${turnsBackupsOn ? ': backing-up' : ''}`, () => {
    inst.replicaOf = undefined;
    inst.lag = undefined;
    inst.backupRetentionPeriod = retention;
    if (turnsBackupsOn) inst.status = 'backing-up';
  }, hang);
  world.at(started + t.promoteTotalSeconds * 1000, `rds ${inst.id} promotion: available`, (at) => {
    inst.status = 'available';
    inst.promotedAt = at;
    inst.earliestRestorable = at;
    inst.frozenRestorable = undefined;
  }, hang);
  return { DBInstance: describeInstance(ctx, inst) };
}

/** PendingModifiedValues of the changes that were asked for (absent ones left out). */
function pendingOf(changes: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
}

/** A modification's changes applied: the pending values become the instance's, and it is available again. */
function applyPending(inst: DbInstanceState): void {
  const p = inst.pending;
  if (typeof p.DBInstanceClass === 'string') inst.instanceClass = p.DBInstanceClass;
  if (typeof p.BackupRetentionPeriod === 'number') inst.backupRetentionPeriod = p.BackupRetentionPeriod;
  if (typeof p.MultiAZ === 'boolean') inst.multiAZ = p.MultiAZ;
  inst.pending = {};
  inst.status = 'available';
}

function modifyDBInstance(ctx: OpContext, input: ModifyDBInstanceCommandInput): Out<ModifyDBInstanceCommandOutput> {
  const inst = instanceOrFail(ctx, input.DBInstanceIdentifier);
  if (!SERVING.has(inst.status) && inst.status !== 'stopped') throw awsError('InvalidDBInstanceStateFault', `Database instance is not in available state (${inst.status}).`, { status: 400, sdk });
  const { world, region } = ctx;
  const rds = ctx.r.rds;
  const changes: Record<string, unknown> = {};
  if (input.DBInstanceClass) changes.DBInstanceClass = input.DBInstanceClass;
  if (input.BackupRetentionPeriod !== undefined) changes.BackupRetentionPeriod = input.BackupRetentionPeriod;
  if (input.MultiAZ !== undefined) changes.MultiAZ = input.MultiAZ;
  if (input.NewDBInstanceIdentifier) {
    if (rds.instances.has(input.NewDBInstanceIdentifier)) throw awsError('DBInstanceAlreadyExistsFault', `DB instance already exists: ${input.NewDBInstanceIdentifier}`, { status: 400, sdk });
    changes.DBInstanceIdentifier = input.NewDBInstanceIdentifier;
  }
  if (input.DeletionProtection !== undefined) inst.deletionProtection = input.DeletionProtection;
  if (input.VpcSecurityGroupIds) inst.securityGroupIds = input.VpcSecurityGroupIds;
  if (Object.keys(changes).length === 0) return { DBInstance: describeInstance(ctx, inst) };
  if (!input.ApplyImmediately && !changes.DBInstanceIdentifier) {
    Object.assign(inst.pending, changes);
    return { DBInstance: describeInstance(ctx, inst) };
  }
  Object.assign(inst.pending, changes);
  const out = describeInstance(ctx, inst);
  const renaming = typeof changes.DBInstanceIdentifier === 'string';
  inst.status = renaming ? 'renaming' : 'modifying';
  out.DBInstanceStatus = inst.status;
  world.at(ctx.now + rds.timings.modifySeconds * 1000, `rds ${inst.id} modification applied`, () => {
    if (typeof changes.DBInstanceClass === 'string') inst.instanceClass = changes.DBInstanceClass;
    if (typeof changes.BackupRetentionPeriod === 'number') inst.backupRetentionPeriod = changes.BackupRetentionPeriod;
    if (typeof changes.MultiAZ === 'boolean') inst.multiAZ = changes.MultiAZ;
    if (typeof changes.DBInstanceIdentifier === 'string') {
      // The endpoint follows the name: that is what makes "rename restored to primary" work.
      rds.instances.delete(inst.id);
      inst.id = changes.DBInstanceIdentifier;
      inst.arn = `arn:aws:rds:${region}:${world.account}:db:${inst.id}`;
      inst.address = `${inst.id}.c9akciq32.${region}.rds.amazonaws.com`;
      rds.instances.set(inst.id, inst);
    }
    inst.pending = {};
    inst.status = 'available';
  }, { what: 'rds-modify', region, resource: inst.id });
  return { DBInstance: out };
}

function rebootDBInstance(ctx: OpContext, input: RebootDBInstanceCommandInput): Out<RebootDBInstanceCommandOutput> {
  const inst = instanceOrFail(ctx, input.DBInstanceIdentifier);
  if (inst.status !== 'available') throw awsError('InvalidDBInstanceStateFault', `DB instance ${inst.id} is not in available state (${inst.status}).`, { status: 400, sdk });
  inst.status = 'rebooting';
  ctx.world.at(ctx.now + 60_000, `rds ${inst.id} rebooted`, (at) => {
    inst.status = 'available';
    instanceEvent(ctx.world, ctx.region, inst, at, 'availability', 'RDS-EVENT-0006', 'DB instance restarted.');
  });
  return { DBInstance: describeInstance(ctx, inst) };
}

function createDBSnapshot(ctx: OpContext, input: CreateDBSnapshotCommandInput): Out<CreateDBSnapshotCommandOutput> {
  const inst = instanceOrFail(ctx, input.DBInstanceIdentifier);
  const id = input.DBSnapshotIdentifier;
  if (!id) throw awsError('InvalidParameterValue', 'DBSnapshotIdentifier is required', { status: 400 });
  if (!/^[A-Za-z][A-Za-z0-9-]{0,254}$/.test(id) || id.includes('--') || id.endsWith('-')) throw awsError('InvalidParameterValue', `Invalid snapshot identifier: ${id}`, { status: 400 });
  if (ctx.r.rds.snapshots.has(id)) throw awsError('DBSnapshotAlreadyExistsFault', `Cannot create the snapshot because a snapshot with the identifier ${id} already exists.`, { status: 400, sdk });
  if (inst.status !== 'available') throw awsError('InvalidDBInstanceStateFault', `Cannot create a snapshot because the database instance ${inst.id} is not currently in the available state.`, { status: 400, sdk });
  const snap: DbSnapshotState = {
    id,
    instanceId: inst.id,
    type: 'manual',
    status: 'creating',
    createdAt: ctx.now,
    engine: inst.engine,
    engineVersion: inst.engineVersion,
    allocatedStorage: 100,
    percentProgress: 0,
    port: inst.port,
    availabilityZone: inst.availabilityZone,
    instanceCreatedAt: inst.createdAt,
  };
  ctx.r.rds.snapshots.set(id, snap);
  const arn = `arn:aws:rds:${ctx.region}:${ctx.world.account}:snapshot:${id}`;
  const done = ctx.now + ctx.r.rds.timings.snapshotSeconds * 1000;
  ctx.world.at(ctx.now + (done - ctx.now) / 2, `rds snapshot ${id} 50%`, () => {
    snap.percentProgress = 50;
  }, { what: 'rds-snapshot', region: ctx.region, resource: id });
  ctx.world.at(done, `rds snapshot ${id} available`, (at) => {
    snap.status = 'available';
    snap.percentProgress = 100;
    ctx.world.emitAwsEvent(at, ctx.region, 'aws.rds', 'RDS DB Snapshot Event', [arn], {
      EventCategories: ['creation'], SourceType: 'SNAPSHOT', SourceArn: arn, Date: new Date(at).toISOString(), Message: 'Manual snapshot created', SourceIdentifier: id, EventID: 'RDS-EVENT-0042',
    });
  }, { what: 'rds-snapshot', region: ctx.region, resource: id });
  return { DBSnapshot: describeSnapshot(ctx, snap) };
}

function describeDBSnapshots(ctx: OpContext, input: DescribeDBSnapshotsCommandInput): Out<DescribeDBSnapshotsCommandOutput> {
  checkMaxRecords(input.MaxRecords);
  let list = [...ctx.r.rds.snapshots.values()].sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  if (input.DBSnapshotIdentifier) {
    const s = ctx.r.rds.snapshots.get(input.DBSnapshotIdentifier);
    if (!s) throw awsError('DBSnapshotNotFoundFault', `DBSnapshot ${input.DBSnapshotIdentifier} not found.`, { status: 404, sdk });
    list = [s];
  }
  if (input.DBInstanceIdentifier) list = list.filter((s) => s.instanceId === idOf(input.DBInstanceIdentifier ?? ''));
  if (input.SnapshotType) list = list.filter((s) => s.type === input.SnapshotType);
  for (const f of input.Filters ?? []) {
    const values = f.Values ?? [];
    if (f.Name === 'db-instance-id') list = list.filter((s) => values.map(idOf).includes(s.instanceId));
    else if (f.Name === 'snapshot-type') list = list.filter((s) => values.includes(s.type));
    else if (f.Name === 'db-snapshot-id') list = list.filter((s) => values.includes(s.id));
    else throw awsError('InvalidParameterValue', `Unrecognized filter name: ${f.Name}`, { status: 400 });
  }
  const page = paginate(list, input.Marker, input.MaxRecords, PAGE_SNAPSHOTS, 'rds:snapshots');
  return { DBSnapshots: page.items.map((s) => describeSnapshot(ctx, s)), Marker: page.next };
}

interface RestoreRequest {
  targetId: string;
  source: { instanceClass: string; engine: string; engineVersion: string; port: number; dbName?: string; masterUsername: string; multiAZ: boolean; backupRetentionPeriod: number; subnetGroupName: string; securityGroupIds: string[]; availabilityZone: string };
  overrides: {
    instanceClass?: string; subnetGroupName?: string; securityGroupIds?: string[]; multiAZ?: boolean; port?: number; deletionProtection?: boolean;
    parameterGroupName?: string; optionGroupName?: string; storageType?: string; kmsKeyId?: string; tags?: { Key?: string; Value?: string }[];
  };
  /** The encryption key the new instance inherits (the snapshot's or the source instance's). */
  kmsKeyId?: string;
  eventId: string;
  message: string;
}

const engineMajor = (inst: DbInstanceState): string => inst.engineVersion.split('.')[0] ?? '15';
const defaultParameterGroup = (inst: DbInstanceState): string => `default.${inst.engine}${engineMajor(inst)}`;
const defaultOptionGroup = (inst: DbInstanceState): string => `default:${inst.engine}-${engineMajor(inst)}`;

function restoreInstance(ctx: OpContext, req: RestoreRequest): DBInstance {
  const rds = ctx.r.rds;
  if (rds.instances.has(req.targetId)) throw awsError('DBInstanceAlreadyExistsFault', `DB instance already exists: ${req.targetId}`, { status: 400, sdk });
  const s = req.source;
  const inst = newInstance(ctx.world, ctx.region, req.targetId, {
    status: 'creating',
    instanceClass: req.overrides.instanceClass ?? s.instanceClass,
    engine: s.engine,
    engineVersion: s.engineVersion,
    port: req.overrides.port ?? s.port,
    dbName: s.dbName,
    masterUsername: s.masterUsername,
    backupRetentionPeriod: s.backupRetentionPeriod || 1,
    multiAZ: req.overrides.multiAZ ?? s.multiAZ,
    createdAt: ctx.now,
    subnetGroupName: req.overrides.subnetGroupName ?? s.subnetGroupName,
    securityGroupIds: req.overrides.securityGroupIds ?? s.securityGroupIds,
    deletionProtection: req.overrides.deletionProtection ?? false,
    availabilityZone: s.availabilityZone,
    tags: Object.fromEntries((req.overrides.tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
    // Unnamed groups are the engine's defaults, not the source's: a restore that names none gets default.postgres15
    // (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_RestoreDBInstanceFromDBSnapshot.html DBParameterGroupName).
    parameterGroupName: req.overrides.parameterGroupName,
    optionGroupName: req.overrides.optionGroupName,
    storageType: req.overrides.storageType,
    kmsKeyId: req.overrides.kmsKeyId ?? req.kmsKeyId,
  });
  inst.frozenRestorable = ctx.now;
  rds.instances.set(inst.id, inst);
  const total = rds.timings.restoreSeconds * 1000;
  const hang = { what: 'rds-restore' as const, region: ctx.region, resource: inst.id };
  ctx.world.at(ctx.now + total * 0.8, `rds ${inst.id} restore: backing-up`, () => {
    inst.status = 'backing-up';
  }, hang);
  ctx.world.at(ctx.now + total, `rds ${inst.id} restore: available`, (at) => {
    inst.status = 'available';
    inst.earliestRestorable = at;
    inst.frozenRestorable = undefined;
    instanceEvent(ctx.world, ctx.region, inst, at, 'restoration', req.eventId, req.message);
  }, hang);
  return describeInstance(ctx, inst);
}

function restoreFromSnapshot(ctx: OpContext, input: RestoreDBInstanceFromDBSnapshotCommandInput): Out<RestoreDBInstanceFromDBSnapshotCommandOutput> {
  if (!input.DBInstanceIdentifier) throw awsError('InvalidParameterValue', 'DBInstanceIdentifier is required', { status: 400 });
  const snapId = input.DBSnapshotIdentifier ?? '';
  const snap = ctx.r.rds.snapshots.get(snapId.replace(/^arn:aws:rds:[^:]+:\d+:snapshot:/, ''));
  if (!snap) throw awsError('DBSnapshotNotFoundFault', `DBSnapshot not found: ${snapId}`, { status: 404, sdk });
  if (snap.status !== 'available') throw awsError('InvalidDBSnapshotStateFault', `Snapshot ${snap.id} is not available (${snap.status}).`, { status: 400, sdk });
  const src = ctx.r.rds.instances.get(snap.instanceId);
  return {
    DBInstance: restoreInstance(ctx, {
      targetId: input.DBInstanceIdentifier,
      source: {
        instanceClass: src?.instanceClass ?? 'db.t3.medium',
        engine: snap.engine,
        engineVersion: snap.engineVersion,
        port: snap.port,
        dbName: src?.dbName,
        masterUsername: src?.masterUsername ?? 'postgres',
        multiAZ: false,
        backupRetentionPeriod: src?.backupRetentionPeriod ?? 1,
        subnetGroupName: src?.subnetGroupName ?? 'default',
        securityGroupIds: src?.securityGroupIds ?? [],
        availabilityZone: snap.availabilityZone,
      },
      overrides: {
        instanceClass: input.DBInstanceClass, subnetGroupName: input.DBSubnetGroupName, securityGroupIds: input.VpcSecurityGroupIds, multiAZ: input.MultiAZ, port: input.Port, deletionProtection: input.DeletionProtection,
        parameterGroupName: input.DBParameterGroupName, optionGroupName: input.OptionGroupName, storageType: input.StorageType, tags: input.Tags,
      },
      kmsKeyId: src?.kmsKeyId,
      eventId: 'RDS-EVENT-0043',
      message: `Restored from snapshot ${snap.id}`,
    }),
  };
}

function restoreToPointInTime(ctx: OpContext, input: RestoreDBInstanceToPointInTimeCommandInput): Out<RestoreDBInstanceToPointInTimeCommandOutput> {
  if (!input.TargetDBInstanceIdentifier) throw awsError('InvalidParameterValue', 'TargetDBInstanceIdentifier is required', { status: 400 });
  const src = instanceOrFail(ctx, input.SourceDBInstanceIdentifier);
  if (src.backupRetentionPeriod <= 0) throw awsError('PointInTimeRestoreNotEnabledFault', `Point-in-time restore is not enabled for ${src.id} (backup retention period is 0).`, { status: 400, sdk });
  if (input.RestoreTime && input.UseLatestRestorableTime) throw awsError('InvalidParameterCombination', 'Cannot specify both RestoreTime and UseLatestRestorableTime', { status: 400 });
  if (!input.RestoreTime && !input.UseLatestRestorableTime) throw awsError('InvalidParameterCombination', 'Either RestoreTime or UseLatestRestorableTime must be specified', { status: 400 });
  const earliest = src.earliestRestorable ?? src.createdAt;
  const latest = latestRestorable(src, ctx.now) ?? earliest;
  if (input.RestoreTime) {
    const t = new Date(input.RestoreTime).getTime();
    if (t < earliest || t > latest) {
      throw awsError('InvalidRestoreFault', `Restore time ${new Date(t).toISOString()} is outside the restorable window [${new Date(earliest).toISOString()}, ${new Date(latest).toISOString()}] of ${src.id}.`, { status: 400, sdk });
    }
  }
  return {
    DBInstance: restoreInstance(ctx, {
      targetId: input.TargetDBInstanceIdentifier,
      source: src,
      overrides: {
        instanceClass: input.DBInstanceClass, subnetGroupName: input.DBSubnetGroupName, securityGroupIds: input.VpcSecurityGroupIds, multiAZ: input.MultiAZ, port: input.Port, deletionProtection: input.DeletionProtection,
        parameterGroupName: input.DBParameterGroupName, optionGroupName: input.OptionGroupName, storageType: input.StorageType, tags: input.Tags,
      },
      kmsKeyId: src.kmsKeyId,
      eventId: 'RDS-EVENT-0019',
      message: `Restored from DB instance ${src.id} to ${input.TargetDBInstanceIdentifier}`,
    }),
  };
}

function describeAutomatedBackups(ctx: OpContext, input: DescribeDBInstanceAutomatedBackupsCommandInput): Out<DescribeDBInstanceAutomatedBackupsCommandOutput> {
  checkMaxRecords(input.MaxRecords);
  let list = [...ctx.r.rds.instances.values()].filter((i) => i.backupRetentionPeriod > 0);
  if (input.DBInstanceIdentifier) list = list.filter((i) => i.id === idOf(input.DBInstanceIdentifier ?? ''));
  if (input.DbiResourceId) list = list.filter((i) => i.resourceId === input.DbiResourceId);
  const page = paginate(list, input.Marker, input.MaxRecords, PAGE_INSTANCES, 'rds:backups');
  return {
    Marker: page.next,
    DBInstanceAutomatedBackups: page.items.map((i) => ({
      DBInstanceArn: i.arn,
      DbiResourceId: i.resourceId,
      Region: ctx.region,
      DBInstanceIdentifier: i.id,
      RestoreWindow: { EarliestTime: new Date(i.earliestRestorable ?? i.createdAt), LatestTime: new Date(latestRestorable(i, ctx.now) ?? ctx.now) },
      AllocatedStorage: 100,
      Status: 'active',
      Port: i.port,
      AvailabilityZone: i.availabilityZone,
      InstanceCreateTime: new Date(i.createdAt),
      MasterUsername: i.masterUsername,
      Engine: i.engine,
      EngineVersion: i.engineVersion,
      StorageType: 'gp3',
      Encrypted: true,
      BackupRetentionPeriod: i.backupRetentionPeriod,
      DBInstanceAutomatedBackupsArn: `arn:aws:rds:${ctx.region}:${ctx.world.account}:auto-backup:ab-${i.resourceId.slice(3).toLowerCase()}`,
      BackupTarget: 'region',
    })),
  };
}

// ------------------------------------------------------------ IAM

const rdsDb = (c: IamCall, id: unknown): string => (isArn(id) ? id : arnIn('rds', c.region, c.account, `db:${String(id ?? '*')}`));
const rdsSnapshot = (c: IamCall, id: unknown): string => (isArn(id) ? id : arnIn('rds', c.region, c.account, `snapshot:${String(id ?? '*')}`));

/** Tags on create need rds:AddTagsToResource on the new resource (RDS "Tagging Amazon RDS resources"). */
const rdsTagsOnCreate = (input: IamCall['input'], resource: string): AuthRequest[] => ((input.Tags ?? []).length > 0 ? [authReq('rds:AddTagsToResource', resource)] : []);

/**
 * A restore authorises the new instance, the option group, the parameter group and the subnet group it
 * uses: the named ones, else the engine's defaults (rds:RestoreDBInstanceFromDBSnapshot: db, og, pg, subgrp required).
 */
function restoreSupporting(c: IamCall, action: string, engineMajor: string): AuthRequest[] {
  const input = c.input;
  return [
    authReq(action, arnIn('rds', c.region, c.account, `og:${input.OptionGroupName ?? `default:postgres-${engineMajor}`}`)),
    authReq(action, arnIn('rds', c.region, c.account, `pg:${input.DBParameterGroupName ?? `default.postgres${engineMajor}`}`)),
    authReq(action, arnIn('rds', c.region, c.account, `subgrp:${input.DBSubnetGroupName ?? 'default'}`)),
  ];
}

function engineMajorOf(world: SimWorld, region: string, instanceId: string | undefined): string {
  const version = instanceId ? world.region(region).rds.instances.get(instanceId)?.engineVersion : undefined;
  return (version ?? '16').split('.')[0] ?? '16';
}

/** `regions.<r>.rds` of a WorldSpec. */
function validateRdsSpec(p: Problems, path: string, spec: Json): void {
  const rds = obj(p, path, spec, ['instances', 'snapshots', 'timings']);
  map(p, `${path}.instances`, rds?.instances, (at, _k, x) => {
    const i = obj(p, at, x, ['status', 'instanceClass', 'engine', 'engineVersion', 'endpointAddress', 'port', 'dbName', 'masterUsername', 'replicaOf', 'replicaLagSeconds', 'backupRetentionPeriod', 'multiAZ', 'createdAt', 'earliestRestorableTime', 'latestRestorableTime', 'subnetGroupName', 'vpcSecurityGroupIds', 'deletionProtection', 'availabilityZone', 'tags', 'parameterGroupName', 'optionGroupName', 'storageType', 'kmsKeyId', 'monitoringInterval', 'monitoringRoleArn', 'modification']);
    if (!i) return;
    if (i.modification !== undefined) {
      const m = obj(p, `${at}.modification`, i.modification, ['instanceClass', 'backupRetentionPeriod', 'multiAZ', 'completesAt'], ['completesAt']);
      if (m) {
        str(p, `${at}.modification.instanceClass`, m.instanceClass);
        num(p, `${at}.modification.backupRetentionPeriod`, m.backupRetentionPeriod, { min: 0, max: 35, integer: true });
        bool(p, `${at}.modification.multiAZ`, m.multiAZ);
        time(p, `${at}.modification.completesAt`, m.completesAt, false);
        if (m.instanceClass === undefined && m.backupRetentionPeriod === undefined && m.multiAZ === undefined) p.push(`${at}.modification: name at least one change (instanceClass, backupRetentionPeriod, multiAZ)`);
      }
      if (i.status !== undefined && i.status !== 'modifying') p.push(`${at}.modification: an instance being modified is 'modifying', not '${String(i.status)}'`);
    }
    for (const f of ['status', 'instanceClass', 'engine', 'engineVersion', 'endpointAddress', 'dbName', 'masterUsername', 'replicaOf', 'subnetGroupName', 'availabilityZone', 'parameterGroupName', 'optionGroupName', 'storageType', 'kmsKeyId', 'monitoringRoleArn']) str(p, `${at}.${f}`, i[f]);
    // RDS Enhanced Monitoring intervals: 0, 1, 5, 10, 15, 30, 60 (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html MonitoringInterval).
    if (i.monitoringInterval !== undefined && ![0, 1, 5, 10, 15, 30, 60].includes(i.monitoringInterval as number)) p.push(`${at}.monitoringInterval: expected one of 0, 1, 5, 10, 15, 30, 60`);
    num(p, `${at}.port`, i.port, { min: 1, integer: true });
    num(p, `${at}.backupRetentionPeriod`, i.backupRetentionPeriod, { min: 0, max: 35, integer: true });
    series(p, `${at}.replicaLagSeconds`, i.replicaLagSeconds, true);
    bool(p, `${at}.multiAZ`, i.multiAZ);
    bool(p, `${at}.deletionProtection`, i.deletionProtection);
    for (const f of ['createdAt', 'earliestRestorableTime', 'latestRestorableTime']) time(p, `${at}.${f}`, i[f]);
    strings(p, `${at}.vpcSecurityGroupIds`, i.vpcSecurityGroupIds);
    stringMap(p, `${at}.tags`, i.tags);
    if (i.replicaLagSeconds !== undefined && i.replicaOf === undefined) p.push(`${at}.replicaLagSeconds: only a read replica (replicaOf) has a replica lag`);
  });
  map(p, `${path}.snapshots`, rds?.snapshots, (at, _k, x) => {
    const s = obj(p, at, x, ['instanceId', 'type', 'status', 'createdAt', 'engine', 'allocatedStorage'], ['instanceId', 'createdAt']);
    if (!s) return;
    str(p, `${at}.instanceId`, s.instanceId, false);
    oneOf(p, `${at}.type`, s.type, ['automated', 'manual']);
    time(p, `${at}.createdAt`, s.createdAt, false);
  });
  if (rds?.timings !== undefined) {
    const t = obj(p, `${path}.timings`, rds.timings, ['promoteModifyingSeconds', 'promoteTotalSeconds', 'promoteBackupSeconds', 'modifySeconds', 'snapshotSeconds', 'restoreSeconds']);
    if (t) for (const [k, x] of Object.entries(t)) num(p, `${path}.timings.${k}`, x, { min: 1 });
    if (t) {
      const merged = { ...DEFAULT_TIMINGS, ...(t as Partial<RdsTimings>) };
      if (merged.promoteModifyingSeconds + merged.promoteBackupSeconds >= merged.promoteTotalSeconds) {
        p.push(`${path}.timings: promoteModifyingSeconds + promoteBackupSeconds (${merged.promoteModifyingSeconds} + ${merged.promoteBackupSeconds}) must be below promoteTotalSeconds (${merged.promoteTotalSeconds}): the promotion reboots in between`);
      }
    }
  }
}

export const service: ServiceSim = {
  name: 'RDS',
  sdk,
  throttleError: 'Throttling',
  ops: {
    DescribeDBInstances: describeDBInstances,
    PromoteReadReplica: promoteReadReplica,
    ModifyDBInstance: modifyDBInstance,
    RebootDBInstance: rebootDBInstance,
    CreateDBSnapshot: createDBSnapshot,
    DescribeDBSnapshots: describeDBSnapshots,
    RestoreDBInstanceFromDBSnapshot: restoreFromSnapshot,
    RestoreDBInstanceToPointInTime: restoreToPointInTime,
    DescribeDBInstanceAutomatedBackups: describeAutomatedBackups,
  },
  iam: {
    DescribeDBInstances: (c) => [authReq('rds:DescribeDBInstances', rdsDb(c, c.input.DBInstanceIdentifier))],
    PromoteReadReplica: (c) => [authReq('rds:PromoteReadReplica', rdsDb(c, c.input.DBInstanceIdentifier))],
    ModifyDBInstance: (c) => [authReq('rds:ModifyDBInstance', rdsDb(c, c.input.DBInstanceIdentifier))],
    RebootDBInstance: (c) => [authReq('rds:RebootDBInstance', rdsDb(c, c.input.DBInstanceIdentifier))],
    CreateDBSnapshot: (c) => [
      authReq('rds:CreateDBSnapshot', rdsDb(c, c.input.DBInstanceIdentifier)),
      authReq('rds:CreateDBSnapshot', rdsSnapshot(c, c.input.DBSnapshotIdentifier)),
      ...rdsTagsOnCreate(c.input, rdsSnapshot(c, c.input.DBSnapshotIdentifier)),
    ],
    DescribeDBSnapshots: (c) => [
      authReq('rds:DescribeDBSnapshots', c.input.DBSnapshotIdentifier ? rdsSnapshot(c, c.input.DBSnapshotIdentifier) : c.input.DBInstanceIdentifier ? rdsDb(c, c.input.DBInstanceIdentifier) : rdsSnapshot(c, '*')),
    ],
    RestoreDBInstanceFromDBSnapshot: (c) => {
      const snapshotId = String(c.input.DBSnapshotIdentifier ?? '');
      const sourceDb = c.world.region(c.region).rds.snapshots.get(snapshotId.includes(':snapshot:') ? snapshotId.split(':snapshot:')[1] ?? '' : snapshotId)?.instanceId;
      const action = 'rds:RestoreDBInstanceFromDBSnapshot';
      return [authReq(action, rdsDb(c, c.input.DBInstanceIdentifier)), authReq(action, rdsSnapshot(c, snapshotId)), ...restoreSupporting(c, action, engineMajorOf(c.world, c.region, sourceDb)), ...rdsTagsOnCreate(c.input, rdsDb(c, c.input.DBInstanceIdentifier))];
    },
    RestoreDBInstanceToPointInTime: (c) => {
      const action = 'rds:RestoreDBInstanceToPointInTime';
      const source = c.input.SourceDBInstanceIdentifier;
      return [
        authReq(action, rdsDb(c, source)),
        authReq(action, rdsDb(c, c.input.TargetDBInstanceIdentifier)),
        ...restoreSupporting(c, action, engineMajorOf(c.world, c.region, typeof source === 'string' ? source : undefined)),
        ...rdsTagsOnCreate(c.input, rdsDb(c, c.input.TargetDBInstanceIdentifier)),
      ];
    },
    DescribeDBInstanceAutomatedBackups: (c) => [authReq('rds:DescribeDBInstanceAutomatedBackups', rdsDb(c, c.input.DBInstanceIdentifier))],
  },
  region: { key: 'rds', init: initRds, validate: validateRdsSpec },
  changes: {
    'db-status': { required: ['region', 'id', 'status'], optional: [], apply: (world, c, at) => setDbStatus(world, c.region, c.id, c.status, at) },
    'replica-lag': {
      required: ['region', 'id', 'seconds'],
      optional: [],
      validate: (p, path, c) => num(p, `${path}.seconds`, c.seconds, { min: 0 }),
      apply: (world, c, at) => setReplicaLag(world, c.region, c.id, c.seconds, at),
    },
  },
  hangs: ['rds-promotion', 'rds-modify', 'rds-restore', 'rds-snapshot'],
};

/**
 * Runbook 5 on AWS: RDS snapshots and restores, the application switch, S3 versions.
 * Every mutation here is called by the workflow through the Actuator; these functions
 * only talk to AWS and re-read state, they decide nothing.
 */
import {
  CreateDBSnapshotCommand,
  DBInstanceNotFoundFault,
  DBSnapshotNotFoundFault,
  DescribeDBInstanceAutomatedBackupsCommand,
  DescribeDBSnapshotsCommand,
  RestoreDBInstanceFromDBSnapshotCommand,
  RestoreDBInstanceToPointInTimeCommand,
} from '@aws-sdk/client-rds';
import { DescribeTaskDefinitionCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { CopyObjectCommand, ListObjectVersionsCommand } from '@aws-sdk/client-s3';
import './sdk/rds';
import './sdk/ecs';
import './sdk/s3';
import type { AutopilotConfig } from '../../domain/config';
import type { RestoreFacts, RestorePlan, RestoreRequest } from '../../domain/restore/request';
import type { ObjectVersion } from '../../domain/restore/s3';
import type { S3RestoreOperations } from '../../domain/restore/s3-workflow';
import type { LiveService, RestoreOperations, SwitchResult } from '../../domain/restore/workflow';
import type { AwsRegions } from './clients';
import { readEcsService } from './ecs-service-reader';
import { readRdsInstance } from './rds-instance-reader';
import { cloneWithDatabaseHost } from './task-definitions';
import { databaseUrlEndpoint } from './database-url';

function isNotFound(err: unknown): boolean {
  return err instanceof DBInstanceNotFoundFault || err instanceof DBSnapshotNotFoundFault || (err instanceof Error && /NotFound/.test(err.name));
}

export class AwsRestoreOperations implements RestoreOperations, S3RestoreOperations {
  constructor(
    private readonly aws: AwsRegions,
    private readonly config: AutopilotConfig,
    /** Loop guard: the deployment the switch starts is ours; its events must not trigger a rollback. */
    private readonly markOwnDeployment: (deploymentId: string) => Promise<void>,
  ) {}

  /** The database's own region: the replica lives in the secondary region (after a failover it is the live one). */
  private regionOf(instanceId: string): string {
    return instanceId.startsWith(this.config.database.replicaInstanceId) ? this.config.database.replicaRegion : this.config.primaryRegion;
  }

  private rdsFor(instanceId: string) {
    return this.aws.in(this.regionOf(instanceId)).rds;
  }

  async readFacts(req: RestoreRequest): Promise<RestoreFacts> {
    const facts: RestoreFacts = {};
    try {
      const db = await readRdsInstance(this.rdsFor(req.dbInstanceId), req.dbInstanceId);
      if (db) {
        facts.instance = {
          id: db.id,
          status: db.status ?? 'unknown',
          instanceClass: db.instanceClass ?? this.config.database.instanceClass,
          subnetGroupName: db.subnetGroupName ?? this.config.database.subnetGroupName,
          securityGroupIds: db.securityGroupIds.length > 0 ? db.securityGroupIds : this.config.database.securityGroupIds,
          endpoint: db.endpoint?.address,
        };
        const latest = db.latestRestorableTime;
        if (req.source.kind === 'point-in-time' && latest !== undefined && (db.backupRetentionDays ?? 0) > 0) {
          let earliest: number | undefined;
          try {
            const backups = await this.rdsFor(req.dbInstanceId).send(new DescribeDBInstanceAutomatedBackupsCommand({ DBInstanceIdentifier: req.dbInstanceId }));
            earliest = backups.DBInstanceAutomatedBackups?.[0]?.RestoreWindow?.EarliestTime?.getTime();
          } catch (err) {
            if (!isNotFound(err) && !(err instanceof Error && err.name === 'UnknownOperationException')) throw err;
          }
          // Without the automated-backups window, the retention period bounds it.
          facts.restoreWindow = { earliest: earliest ?? latest - (db.backupRetentionDays ?? 0) * 86400_000, latest };
        }
      }
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    if (req.source.kind === 'snapshot') {
      try {
        const { DBSnapshots } = await this.rdsFor(req.dbInstanceId).send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: req.source.snapshotId }));
        const s = DBSnapshots?.[0];
        if (s) facts.snapshot = { id: s.DBSnapshotIdentifier ?? req.source.snapshotId, status: s.Status ?? 'unknown', sourceInstanceId: s.DBInstanceIdentifier, createdAt: s.SnapshotCreateTime?.getTime() };
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    return facts;
  }

  async snapshotStatus(snapshotId: string): Promise<string | undefined> {
    try {
      const { DBSnapshots } = await this.rdsFor(snapshotId).send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: snapshotId }));
      return DBSnapshots?.[0]?.Status;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async createSnapshot(instanceId: string, snapshotId: string): Promise<void> {
    if ((await this.snapshotStatus(snapshotId)) !== undefined) return; // an earlier attempt made it
    await this.rdsFor(instanceId).send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: instanceId, DBSnapshotIdentifier: snapshotId, Tags: [{ Key: 'autopilot:purpose', Value: 'pre-restore' }] }));
  }

  /**
   * The source's production settings, read live, for the restored instance: left out, RDS uses the
   * engine's default parameter and option groups, a single AZ, no deletion protection and no tags
   * (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_RestoreDBInstanceFromDBSnapshot.html).
   * The KMS key comes with the snapshot or the source instance. Enhanced monitoring is not a restore
   * parameter (it needs a ModifyDBInstance afterwards) and is not copied.
   */
  async productionSettings(sourceInstanceId: string | undefined) {
    if (!sourceInstanceId) return {};
    const db = await readRdsInstance(this.rdsFor(sourceInstanceId), sourceInstanceId);
    if (!db) return {};
    const tags = db.tags.filter((t) => t.Key && !t.Key.startsWith('aws:'));
    return {
      DBParameterGroupName: db.parameterGroupName,
      OptionGroupName: db.optionGroupName,
      MultiAZ: db.multiAZ,
      StorageType: db.storageType,
      DeletionProtection: db.deletionProtection,
      CopyTagsToSnapshot: db.copyTagsToSnapshot,
      ...(tags.length > 0 ? { Tags: [...tags, { Key: 'autopilot:restored-from', Value: sourceInstanceId }] } : { Tags: [{ Key: 'autopilot:restored-from', Value: sourceInstanceId }] }),
    };
  }

  async restoreFromSnapshot(plan: RestorePlan, snapshotId: string, sourceInstanceId?: string): Promise<void> {
    if (await this.instanceState(plan.targetInstanceId)) return;
    const settings = await this.productionSettings(sourceInstanceId);
    await this.rdsFor(plan.targetInstanceId).send(
      new RestoreDBInstanceFromDBSnapshotCommand({
        ...settings,
        DBInstanceIdentifier: plan.targetInstanceId,
        DBSnapshotIdentifier: snapshotId,
        DBInstanceClass: plan.instanceClass,
        DBSubnetGroupName: plan.subnetGroupName,
        VpcSecurityGroupIds: plan.securityGroupIds,
        PubliclyAccessible: false,
      }),
    );
  }

  async restoreToPointInTime(plan: RestorePlan, sourceInstanceId: string, restoreTime: number): Promise<void> {
    if (await this.instanceState(plan.targetInstanceId)) return;
    const settings = await this.productionSettings(sourceInstanceId);
    await this.rdsFor(sourceInstanceId).send(
      new RestoreDBInstanceToPointInTimeCommand({
        ...settings,
        SourceDBInstanceIdentifier: sourceInstanceId,
        TargetDBInstanceIdentifier: plan.targetInstanceId,
        RestoreTime: new Date(restoreTime),
        DBInstanceClass: plan.instanceClass,
        DBSubnetGroupName: plan.subnetGroupName,
        VpcSecurityGroupIds: plan.securityGroupIds,
        PubliclyAccessible: false,
      }),
    );
  }

  async instanceState(instanceId: string): Promise<{ status: string; endpoint?: string } | undefined> {
    try {
      const db = await readRdsInstance(this.rdsFor(instanceId), instanceId);
      return db ? { status: db.status ?? 'unknown', endpoint: db.endpoint?.address } : undefined;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** The service in the database's region: the primary service, or the secondary one once a failover moved the database there. */
  private serviceIn(region: string) {
    const { service, secondaryService } = this.config;
    return region === service.region ? service : region === secondaryService.region ? secondaryService : service;
  }

  async liveService(targetInstanceId: string): Promise<LiveService> {
    const s = this.serviceIn(this.regionOf(targetInstanceId));
    const ecs = this.aws.in(s.region).ecs;
    const { service: svc } = await readEcsService(ecs, s.clusterName, s.serviceName);
    if (!svc) throw new Error(`service ${s.clusterName}/${s.serviceName} not found in ${s.region}`);
    const live: LiveService = { region: s.region, cluster: s.clusterName, service: s.serviceName, deploymentController: svc.deploymentController };
    if (!svc.taskDefinition) return live;
    // The DATABASE_URL the switch rewrites: a reference must be readable in the service's Region before anything is registered.
    const td = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: svc.taskDefinition }))).taskDefinition;
    const at = await databaseUrlEndpoint(this.aws, s.region, td, s.containerName, this.config.database.urlReferences);
    return { ...live, ...(at.from ? { databaseUrlFrom: at.from } : {}), ...(at.problem ? { databaseUrlProblem: at.problem } : {}) };
  }

  async switchApplication(endpoint: string, targetInstanceId: string | undefined, incidentKey: string): Promise<SwitchResult> {
    const s = targetInstanceId ? this.serviceIn(this.regionOf(targetInstanceId)) : this.config.service;
    const ecs = this.aws.in(s.region).ecs;
    const { service: svc } = await readEcsService(ecs, s.clusterName, s.serviceName);
    const current = svc?.taskDefinition;
    if (!current) throw new Error(`service ${s.clusterName}/${s.serviceName} not found`);
    // Fail closed: a blue/green service would reject the update after the clone was registered.
    if (svc.deploymentController === 'CODE_DEPLOY') throw new Error(`service ${s.clusterName}/${s.serviceName} is deployed by CodeDeploy: UpdateService cannot change its task definition`);
    const clone = await cloneWithDatabaseHost(this.aws, s.region, current, s.containerName, endpoint, 'restore-from-backup switch', { incidentKey, prefixes: this.config.database.urlReferences });
    const written = clone.reference ? { databaseUrlWritten: { kind: clone.reference.kind, name: clone.reference.name, arn: clone.reference.arn, created: clone.reference.created } } : {};
    if (!clone.registered) {
      // The service already runs on the restored endpoint: a retry after a crash, not a second
      // rollout. The crash may have come before the loop-guard mark: mark the rollout now.
      const rollout = svc.deployments.find((d) => d.status === 'PRIMARY');
      if (rollout?.id) await this.markOwnDeployment(rollout.id);
      return { taskDefinitionArn: clone.taskDefinitionArn };
    }
    const updated = await ecs.send(new UpdateServiceCommand({ cluster: s.clusterName, service: s.serviceName, taskDefinition: clone.taskDefinitionArn, forceNewDeployment: true }));
    const primary = updated.service?.deployments?.find((d) => d.status === 'PRIMARY');
    if (primary?.id) await this.markOwnDeployment(primary.id);
    return { taskDefinitionArn: clone.taskDefinitionArn, ...written };
  }

  async serviceStableOn(taskDefinitionArn: string): Promise<boolean> {
    // The task definition lives in the region of the service it was registered for.
    const s = this.serviceIn(taskDefinitionArn.split(':')[3] ?? this.config.service.region);
    const { service: svc } = await readEcsService(this.aws.in(s.region).ecs, s.clusterName, s.serviceName);
    const deployments = svc?.deployments ?? [];
    const primary = deployments.find((d) => d.status === 'PRIMARY');
    return deployments.length === 1 && primary?.taskDefinition === taskDefinitionArn && primary.rolloutState === 'COMPLETED' && svc?.running === svc?.desired;
  }

  async listVersions(bucket: string, prefix: string, cursor?: { keyMarker?: string; versionIdMarker?: string }) {
    const s3 = this.aws.in(this.config.primaryRegion).s3;
    const out = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix, KeyMarker: cursor?.keyMarker, VersionIdMarker: cursor?.versionIdMarker }));
    const versions: ObjectVersion[] = [
      ...(out.Versions ?? []).map((v) => ({ key: v.Key ?? '', versionId: v.VersionId ?? 'null', lastModified: v.LastModified?.getTime() ?? 0, isLatest: !!v.IsLatest, deleteMarker: false, etag: v.ETag })),
      ...(out.DeleteMarkers ?? []).map((d) => ({ key: d.Key ?? '', versionId: d.VersionId ?? 'null', lastModified: d.LastModified?.getTime() ?? 0, isLatest: !!d.IsLatest, deleteMarker: true })),
    ].filter((v) => v.key !== '');
    const next = out.IsTruncated ? { keyMarker: out.NextKeyMarker, versionIdMarker: out.NextVersionIdMarker } : undefined;
    return { versions, next };
  }

  async copyVersion(bucket: string, key: string, versionId: string): Promise<void> {
    const s3 = this.aws.in(this.config.primaryRegion).s3;
    await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: key, CopySource: `${bucket}/${encodeURIComponent(key).replace(/%2F/g, '/')}?versionId=${encodeURIComponent(versionId)}` }));
  }
}

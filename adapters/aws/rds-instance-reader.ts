/**
 * One RDS instance as every runbook reads it: one DescribeDBInstances call, normalised.
 * Errors are thrown as the SDK gives them, DBInstanceNotFoundFault included: what a missing
 * instance means (a finding, nothing to restore, a failed read) is each caller's to say.
 */
import { DescribeDBInstancesCommand, type RDSClient, type Tag } from '@aws-sdk/client-rds';
import './sdk/rds';
import { epochMs } from './epoch-ms';

export interface RdsInstanceReading {
  /** DBInstanceIdentifier as RDS returned it, else the identifier asked for. */
  id: string;
  /** available, backing-up, modifying, failed, storage-full... */
  status?: string;
  /** ReadReplicaSourceDBInstanceIdentifier: set while the instance is a read replica (an ARN for a cross-region one). */
  replicaSourceId?: string;
  endpoint?: { address: string; port?: number };
  backupRetentionDays?: number;
  latestRestorableTime?: number;
  instanceClass?: string;
  subnetGroupName?: string;
  securityGroupIds: string[];
  parameterGroupName?: string;
  optionGroupName?: string;
  multiAZ?: boolean;
  storageType?: string;
  deletionProtection?: boolean;
  copyTagsToSnapshot?: boolean;
  tags: Tag[];
  /** PendingModifiedValues as "Field=value" (only the fields RDS listed): what a 'modifying' instance is being changed to. */
  pendingModifications: string[];
}

/** DescribeDBInstances for one instance; undefined when the answer lists none. */
export async function readRdsInstance(rds: RDSClient, id: string): Promise<RdsInstanceReading | undefined> {
  const db = (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }))).DBInstances?.[0];
  if (!db) return undefined;
  return {
    id: db.DBInstanceIdentifier ?? id,
    status: db.DBInstanceStatus,
    replicaSourceId: db.ReadReplicaSourceDBInstanceIdentifier,
    endpoint: db.Endpoint?.Address ? { address: db.Endpoint.Address, port: db.Endpoint.Port } : undefined,
    backupRetentionDays: db.BackupRetentionPeriod,
    latestRestorableTime: epochMs(db.LatestRestorableTime),
    instanceClass: db.DBInstanceClass,
    subnetGroupName: db.DBSubnetGroup?.DBSubnetGroupName,
    securityGroupIds: (db.VpcSecurityGroups ?? []).map((g) => g.VpcSecurityGroupId).filter((x): x is string => !!x),
    parameterGroupName: db.DBParameterGroups?.[0]?.DBParameterGroupName,
    optionGroupName: db.OptionGroupMemberships?.[0]?.OptionGroupName,
    multiAZ: db.MultiAZ,
    storageType: db.StorageType,
    deletionProtection: db.DeletionProtection,
    copyTagsToSnapshot: db.CopyTagsToSnapshot,
    tags: db.TagList ?? [],
    pendingModifications: Object.entries(db.PendingModifiedValues ?? {})
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`),
  };
}

/**
 * Runbook 5, step 1 ("List Available Snapshots") as a gate: a restore request is checked
 * against live facts before anything is created. Nothing is restored over the primary.
 */
import type { Verdict } from '../guardrails';

export type RestoreSource =
  | { kind: 'snapshot'; snapshotId: string }
  | { kind: 'point-in-time'; restoreTime: number };

export interface RestoreRequest {
  incidentKey: string;
  dbInstanceId: string;
  source: RestoreSource;
  reason: string;
  requestedBy: string;
  requestedAt: number;
}

/** What the database and its backups look like now (read by the adapter). */
export interface RestoreFacts {
  instance?: {
    id: string;
    status: string;
    instanceClass: string;
    subnetGroupName?: string;
    securityGroupIds: string[];
    endpoint?: string;
  };
  /** The PITR window (automated backups' RestoreWindow). */
  restoreWindow?: { earliest: number; latest: number };
  snapshot?: { id: string; status: string; sourceInstanceId?: string; createdAt?: number };
}

export interface RestorePlan {
  /** The new instance: never the primary's identifier. */
  targetInstanceId: string;
  /** Manual snapshot of the current state, for going back (runbook step 2). */
  preRestoreSnapshotId: string;
  instanceClass: string;
  subnetGroupName?: string;
  securityGroupIds: string[];
}

function stamp(epochMs: number): string {
  // 2024-01-15T14:30:00.000Z -> 20240115-143000 (the runbook's $(date +%Y%m%d-%H%M%S))
  return new Date(epochMs).toISOString().replace(/\.\d+Z$/, '').replace(/[-:]/g, '').replace('T', '-');
}

/** Names are derived from the request, so a repeated step finds what an earlier attempt created. */
export function planRestore(req: RestoreRequest, facts: Required<Pick<RestoreFacts, 'instance'>>): RestorePlan {
  const s = stamp(req.requestedAt);
  const suffix = req.source.kind === 'snapshot' ? 'restored' : 'pitr';
  return {
    targetInstanceId: `${req.dbInstanceId}-${suffix}-${s}`.slice(0, 63),
    preRestoreSnapshotId: `${req.dbInstanceId}-before-restore-${s}`.slice(0, 255),
    instanceClass: facts.instance.instanceClass,
    subnetGroupName: facts.instance.subnetGroupName,
    securityGroupIds: facts.instance.securityGroupIds,
  };
}

export function validateRestoreRequest(req: RestoreRequest, facts: RestoreFacts, now: number): Verdict[] {
  const verdicts: Verdict[] = [];
  if (!facts.instance) {
    verdicts.push({ guardrail: 'SourceDatabaseExists', pass: false, reason: `database ${req.dbInstanceId} not found` });
    return verdicts;
  }
  verdicts.push({ guardrail: 'SourceDatabaseExists', pass: true, reason: `${req.dbInstanceId} is ${facts.instance.status}` });

  if (req.source.kind === 'point-in-time') {
    const t = req.source.restoreTime;
    const w = facts.restoreWindow;
    if (!w) {
      verdicts.push({ guardrail: 'RestoreTimeInWindow', pass: false, reason: `no automated backups for ${req.dbInstanceId}: point-in-time restore is impossible` });
    } else if (t < w.earliest || t > w.latest) {
      verdicts.push({
        guardrail: 'RestoreTimeInWindow',
        pass: false,
        reason: `OutOfWindow: ${iso(t)} is outside the restorable window ${iso(w.earliest)} .. ${iso(w.latest)}`,
        evidence: { restoreTime: iso(t), earliest: iso(w.earliest), latest: iso(w.latest) },
      });
    } else if (t > now) {
      verdicts.push({ guardrail: 'RestoreTimeInWindow', pass: false, reason: `restore time ${iso(t)} is in the future` });
    } else {
      verdicts.push({ guardrail: 'RestoreTimeInWindow', pass: true, reason: `${iso(t)} is within ${iso(w.earliest)} .. ${iso(w.latest)}` });
    }
  } else {
    const snap = facts.snapshot;
    if (!snap) {
      verdicts.push({ guardrail: 'SnapshotBelongsToDatabase', pass: false, reason: `snapshot ${req.source.snapshotId} not found` });
    } else if (snap.sourceInstanceId !== req.dbInstanceId) {
      verdicts.push({
        guardrail: 'SnapshotBelongsToDatabase',
        pass: false,
        reason: `snapshot ${snap.id} belongs to ${snap.sourceInstanceId ?? 'an unknown instance'}, not ${req.dbInstanceId}`,
      });
    } else if (snap.status !== 'available') {
      verdicts.push({ guardrail: 'SnapshotBelongsToDatabase', pass: false, reason: `snapshot ${snap.id} is ${snap.status}, not available` });
    } else {
      verdicts.push({ guardrail: 'SnapshotBelongsToDatabase', pass: true, reason: `snapshot ${snap.id} of ${req.dbInstanceId} is available` });
    }
  }
  return verdicts;
}

/** The restore target must be a new instance: a guardrail, not a convention. */
export function neverOverwriteVerdict(targetInstanceId: string, protectedIds: string[]): Verdict {
  return protectedIds.includes(targetInstanceId)
    ? { guardrail: 'NeverRestoreOverPrimary', pass: false, reason: `refusing to restore onto ${targetInstanceId}: it is a live database` }
    : { guardrail: 'NeverRestoreOverPrimary', pass: true, reason: `restoring to new instance ${targetInstanceId}` };
}

export function iso(t: number): string {
  return new Date(t).toISOString();
}

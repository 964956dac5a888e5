/**
 * The pages of the database failover and the runbook's manual commands they carry.
 *
 * Paging policy (what the on-call SRE receives, all under the incident key so PagerDuty
 * folds them into one alert):
 * - a gate refuses / approval rejected or EXPIRED / rollback: P1 trigger naming the gate
 *   (or the step where it stopped), the evidence and the next manual command;
 * - the primary could not be confirmed down (signals unreadable or disagreeing): P1
 *   "cannot confirm the primary is down: decide by hand" with the checks' evidence and
 *   the runbook's commands (never a promotion on "cannot see");
 * - a rollback after promotion + DNS keeps serving from the secondary: P1 with the ordered
 *   failback commands (the autopilot never sends clients back to the old primary itself);
 * - approval required: P1 trigger carrying the approve and reject commands;
 * - failover starting without approval: P1 trigger ("promoting now"): a region move is
 *   never something a human learns about afterwards;
 * - primary recovered during confirmation: resolve (nothing was changed);
 * - failover completed and healthy: resolve of the P1 (the outage is over) plus a P2
 *   follow-up under `<key>-followup`: the old primary is now a split-off writer that must
 *   stay out of service, a new replica must be built, failback is manual.
 */
import type { AutopilotConfig } from '../config';
import type { Verdict } from '../guardrails';
import type { ApprovalRequest, Page, RefusedAction } from '../paging';

export interface ManualCommands {
  verifyPrimary: string;
  checkReplica: string;
  pausePrimary: string;
  promote: string;
  startSecondary: string;
  switchDnsToSecondary: string;
  verify: string;
  scaleSecondaryDown: string;
  switchDnsBack: string;
  restorePrimaryService: (desiredCount: number) => string;
}

/** The runbook's commands with this deployment's names. */
export function manualCommands(config: AutopilotConfig): ManualCommands {
  const db = config.database;
  const p = config.service;
  const s = config.secondaryService;
  const dnsFile = (setId: string, failover: string, zone: string, dnsName: string): string =>
    `aws route53 change-resource-record-sets --hosted-zone-id ${config.dns.hostedZoneId} --change-batch '${JSON.stringify({
      Changes: [{ Action: 'UPSERT', ResourceRecordSet: { Name: config.dns.recordName, Type: 'A', SetIdentifier: setId, Failover: failover, AliasTarget: { HostedZoneId: zone, DNSName: dnsName, EvaluateTargetHealth: true } } }],
    })}'`;
  return {
    verifyPrimary: `aws rds describe-db-instances --db-instance-identifier ${db.primaryInstanceId} --region ${config.primaryRegion} --query 'DBInstances[0].DBInstanceStatus'`,
    checkReplica: `aws rds describe-db-instances --db-instance-identifier ${db.replicaInstanceId} --region ${db.replicaRegion} --query 'DBInstances[0].[DBInstanceStatus,ReadReplicaSourceDBInstanceIdentifier]'`,
    pausePrimary: `aws ecs update-service --cluster ${p.clusterName} --service ${p.serviceName} --desired-count 0 --region ${p.region}`,
    promote: `aws rds promote-read-replica --db-instance-identifier ${db.replicaInstanceId} --backup-retention-period ${db.backupRetentionDays} --region ${db.replicaRegion}`,
    startSecondary: `aws ecs update-service --cluster ${s.clusterName} --service ${s.serviceName} --desired-count ${s.desiredCount} --task-definition ${s.taskFamily} --region ${s.region}`,
    switchDnsToSecondary: dnsFile(config.dns.secondarySetIdentifier, 'PRIMARY', s.albHostedZoneId, s.albDnsName),
    verify: `curl -v ${p.healthCheckUrl}`,
    scaleSecondaryDown: `aws ecs update-service --cluster ${s.clusterName} --service ${s.serviceName} --desired-count 0 --region ${s.region}`,
    switchDnsBack: dnsFile(config.dns.secondarySetIdentifier, 'SECONDARY', s.albHostedZoneId, s.albDnsName),
    restorePrimaryService: (n) => `aws ecs update-service --cluster ${p.clusterName} --service ${p.serviceName} --desired-count ${n} --region ${p.region}`,
  };
}

interface PageBase {
  incidentKey: string;
  config: AutopilotConfig;
  at: number;
  diagnosis: string[];
  done: string[];
}

function base(args: PageBase, title: string, action: 'trigger' | 'resolve', severity: Page['severity']): Page {
  return {
    incidentKey: args.incidentKey,
    action,
    severity,
    runbook: 'database-failover',
    title,
    resource: args.config.database.primaryInstanceId,
    at: args.at,
    diagnosis: args.diagnosis,
    done: args.done,
    refused: [],
    nextStep: '',
  };
}

export function gateRefusedPage(args: PageBase & { gate: Verdict }): Page {
  const cmds = manualCommands(args.config);
  const refused: RefusedAction = { action: 'database failover (promote replica)', guardrail: args.gate.guardrail, reason: args.gate.reason };
  const evidence = args.gate.evidence ? [`evidence: ${JSON.stringify(args.gate.evidence)}`] : [];
  return {
    ...base(args, `Database failover NOT started: gate ${args.gate.guardrail} refused (${args.config.database.primaryInstanceId})`, 'trigger', 'P1'),
    diagnosis: [...args.diagnosis, ...evidence],
    refused: [refused],
    nextStep: `Nothing was changed. Decide by hand: ${cmds.verifyPrimary} ; ${cmds.checkReplica} ; to fail over manually follow runbook 1 from step 3 (${cmds.promote})`,
  };
}

/**
 * The confirmation window ended without positive proof that the primary is down (signals
 * unreadable or disagreeing). The autopilot never promotes on "cannot see": a human decides,
 * with the evidence and the runbook's commands to check and, if they decide so, fail over.
 */
export function primaryNotConfirmedPage(args: PageBase & { gate: Verdict }): Page {
  const cmds = manualCommands(args.config);
  const evidence = args.gate.evidence ? [`evidence: ${JSON.stringify(args.gate.evidence)}`] : [];
  return {
    ...base(args, `Cannot confirm the primary ${args.config.database.primaryInstanceId} is down: decide by hand (failover NOT started)`, 'trigger', 'P1'),
    diagnosis: [...args.diagnosis, ...evidence],
    refused: [{ action: 'database failover (promote replica)', guardrail: args.gate.guardrail, reason: args.gate.reason }],
    nextStep: [
      'Nothing was changed. Check the primary and the replica yourself:',
      cmds.verifyPrimary,
      cmds.checkReplica,
      'Only if the primary is really down and its writers are stopped, fail over by hand (runbook 1 steps 3-8):',
      cmds.pausePrimary,
      cmds.promote,
      cmds.startSecondary,
      cmds.switchDnsToSecondary,
      cmds.verify,
    ].join('\n'),
  };
}

export function recoveredPage(args: PageBase): Page {
  return {
    ...base(args, `Primary ${args.config.database.primaryInstanceId} recovered during confirmation; no failover`, 'resolve', 'P1'),
    nextStep: `Nothing was changed. Look for the cause of the outage: ${manualCommands(args.config).verifyPrimary}`,
  };
}

export function approvalPage(args: PageBase & { approval: ApprovalRequest }): Page {
  return {
    ...base(args, `APPROVAL NEEDED: fail over ${args.config.database.primaryInstanceId} to ${args.config.database.replicaInstanceId} (${args.config.secondaryRegion})`, 'trigger', 'P1'),
    approval: args.approval,
    nextStep: `Approve: ${args.approval.approveCommand}\nReject: ${args.approval.rejectCommand}\nNo answer by ${new Date(args.approval.expiresAt).toISOString()} counts as rejected.`,
  };
}

export function failoverStartingPage(args: PageBase): Page {
  return {
    ...base(args, `Automatic database failover STARTED: promoting ${args.config.database.replicaInstanceId} in ${args.config.secondaryRegion}`, 'trigger', 'P1'),
    nextStep: `Watch the incident; to stop before the next step set the kill switch. Verify with: ${manualCommands(args.config).checkReplica}`,
  };
}

export function failoverCompletedPages(args: PageBase & { downtimeSeconds?: number }): Page[] {
  const cmds = manualCommands(args.config);
  const resolved: Page = {
    ...base(args, `Database failed over to ${args.config.database.replicaInstanceId} (${args.config.secondaryRegion}); service healthy`, 'resolve', 'P1'),
    nextStep: `Follow-up is in the P2 page ${args.incidentKey}-followup.`,
  };
  const followUp: Page = {
    ...base({ ...args, incidentKey: `${args.incidentKey}-followup` }, `Failover follow-up: old primary ${args.config.database.primaryInstanceId} must stay out of service; rebuild a replica`, 'trigger', 'P2'),
    diagnosis: [...args.diagnosis, ...(args.downtimeSeconds !== undefined ? [`downtime ${args.downtimeSeconds}s (detection to healthy)`] : [])],
    nextStep: `Do not restart writes on ${args.config.database.primaryInstanceId} (it is now a split-off copy). Create a new cross-region replica of ${args.config.database.replicaInstanceId}, check logs (aws logs tail ${args.config.service.logGroupName} --follow --region ${args.config.secondaryRegion}), verify ${cmds.verify}, and complete the incident record (root cause, lessons learned).`,
  };
  return [resolved, followUp];
}

export function stoppedPage(args: PageBase & { stoppedAt: string; reason: string; remainingManual: string[]; refused?: RefusedAction[] }): Page {
  return {
    ...base(args, `Database failover STOPPED at ${args.stoppedAt}: ${args.reason}`, 'trigger', 'P1'),
    refused: args.refused ?? [],
    nextStep: args.remainingManual.join('\n'),
  };
}

/** The standby (secondary-region) autopilot leaves a failover to the primary region's: P3, for the record. */
export function standbyDefersPage(args: PageBase & { reason: string }): Page {
  return {
    ...base(args, `Standby autopilot (${args.config.deployment.region}): primary ${args.config.database.primaryInstanceId} down, left to the ${args.config.primaryRegion} autopilot`, 'trigger', 'P3'),
    nextStep: `Nothing was changed by the standby. Follow the failover of the ${args.config.primaryRegion} autopilot; if it does not act, check: ${manualCommands(args.config).verifyPrimary}`,
  };
}

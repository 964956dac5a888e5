/**
 * Runbook 5, Restore from Backup, as a durable workflow. The autopilot prepares
 * everything; a person decides the switch.
 *
 *   1. validate the request against live facts      (no mutation before this passes; the requester
 *                                                    picked the source, runbook step 1)
 *   2. Create Snapshot (Before Restore) of the current state, and wait for it
 *   3. Restore from Snapshot (or to a point in time) to a NEW instance, and wait until available
 *   4. Verify Restored Data: approval page with the checklist (row counts, spot checks)
 *   5. on approval: Switch Application to Restored Database (option 1: no downtime)
 *      on rejection or expiry: leave everything in place and page
 */
import { TUNABLES, type AutopilotConfig } from '../config';
import type { Verdict } from '../guardrails';
import type { Page } from '../paging';
import type { Act, ActOutcome, ApprovalOutcome, Recorder, Workflow } from '../ports';
import { iso, neverOverwriteVerdict, planRestore, validateRestoreRequest, type RestoreFacts, type RestorePlan, type RestoreRequest } from './request';
import { quoteUntrusted } from '../untrusted-text';
import { withRestorePointAge } from './restore-point';
import { approvalBySecondPerson } from './second-person';

export interface RestoreOperations {
  readFacts(req: RestoreRequest): Promise<RestoreFacts>;
  /** undefined when absent. */
  snapshotStatus(snapshotId: string): Promise<string | undefined>;
  createSnapshot(instanceId: string, snapshotId: string): Promise<void>;
  /** `sourceInstanceId`: the database the snapshot belongs to, whose production settings the new instance carries. */
  restoreFromSnapshot(plan: RestorePlan, snapshotId: string, sourceInstanceId?: string): Promise<void>;
  restoreToPointInTime(plan: RestorePlan, sourceInstanceId: string, restoreTime: number): Promise<void>;
  instanceState(instanceId: string): Promise<{ status: string; endpoint?: string } | undefined>;
  /**
   * The live service the restored database serves: the one in the database's region (the
   * secondary service after a failover), with its deployment controller read from ECS.
   */
  liveService?(targetInstanceId: string): Promise<LiveService>;
  /**
   * Register a task definition whose DATABASE_URL points at `endpoint`, roll the service. A
   * DATABASE_URL that is a Secrets Manager / SSM reference gets a new reference named after
   * `incidentKey` (the one the service reads now is never changed).
   */
  switchApplication(endpoint: string, targetInstanceId: string | undefined, incidentKey: string): Promise<SwitchResult>;
  /** The primary service finished rolling out the given task definition. */
  serviceStableOn(taskDefinitionArn: string): Promise<boolean>;
}

export interface LiveService {
  region: string;
  cluster: string;
  service: string;
  deploymentController: string;
  /** DATABASE_URL is a Secrets Manager / SSM reference: its valueFrom (never the value). */
  databaseUrlFrom?: string;
  /** DATABASE_URL cannot be followed (a reference unreadable in the service's Region...): the switch is refused. */
  databaseUrlProblem?: string;
}

/** What the switch registered: the task definition, and the DATABASE_URL reference it wrote (names only). */
export interface SwitchResult {
  taskDefinitionArn: string;
  databaseUrlWritten?: { kind: 'secretsmanager' | 'ssm'; name: string; arn: string; created: boolean };
}

export interface RestoreDeps {
  wf: Workflow;
  ops: RestoreOperations;
  act: Act;
  rec: Recorder;
  page(page: Omit<Page, 'at'>): Promise<void>;
  /** Reads the clock inside a step. */
  now(): Promise<number>;
  approvalCommands(callbackId: string): { approve: string; reject: string };
  config: AutopilotConfig;
}

export type RestoreOutcome =
  | { outcome: 'refused'; verdict: Verdict }
  | { outcome: 'failed'; stage: string; reason: string }
  | { outcome: 'prepared-not-switched'; approval: ApprovalOutcome['outcome']; targetInstanceId: string; preRestoreSnapshotId: string }
  | { outcome: 'switched'; targetInstanceId: string; taskDefinitionArn: string; preRestoreSnapshotId: string };

const POLL_SECONDS = TUNABLES.restore.pollSeconds;

/** The queries from runbook step 4, ready to paste. */
export function verificationChecklist(endpoint: string, databaseName: string): string[] {
  return [
    `psql -h ${endpoint} -U regami_admin -d ${databaseName}`,
    `SELECT 'users' AS table_name, COUNT(*) FROM users UNION ALL SELECT 'dogs', COUNT(*) FROM dogs UNION ALL SELECT 'availability', COUNT(*) FROM availability;`,
    `SELECT * FROM users WHERE email = 'affected-user@example.com';`,
    'Compare the counts with the primary and spot-check the affected rows before approving.',
  ];
}

async function waitUntil(deps: RestoreDeps, name: string, timeoutSeconds: number, probe: () => Promise<boolean>): Promise<boolean> {
  const rounds = Math.max(1, Math.ceil(timeoutSeconds / POLL_SECONDS));
  for (let i = 0; i < rounds; i++) {
    if (await deps.wf.step(`${name}:check-${i}`, probe)) return true;
    await deps.wf.wait(`${name}:wait-${i}`, POLL_SECONDS);
  }
  return deps.wf.step(`${name}:check-final`, probe);
}

function describeSource(req: RestoreRequest): string {
  return req.source.kind === 'snapshot' ? `snapshot ${req.source.snapshotId}` : `point in time ${iso(req.source.restoreTime)}`;
}

type Base = { incidentKey: string; runbook: 'restore-from-backup'; resource: string };

/** One restore once its request is valid: deps (pages carry the restore point's age), the request and its plan. */
interface RestoreRun {
  deps: RestoreDeps;
  req: RestoreRequest;
  base: Base;
  plan: RestorePlan;
  /** The guardrail scope of the database's mutations. */
  scope: string;
}

export async function runRestore(req: RestoreRequest, input: RestoreDeps): Promise<RestoreOutcome> {
  const base: Base = { incidentKey: req.incidentKey, runbook: 'restore-from-backup', resource: req.dbInstanceId };

  // 1. Validate against live facts: nothing is created for a request that cannot succeed.
  const checked = await validateRequest(req, input);
  // Every page of this restore starts with the restore point's age.
  const deps: RestoreDeps = { ...input, page: async (p) => input.page(withRestorePointAge(p, checked.pointAt, await input.now())) };
  const refusal = checked.verdicts.find((v) => !v.pass);
  if (refusal || !checked.plan) return refuseRequest(deps, req, base, checked.verdicts, refusal ?? { guardrail: 'SourceDatabaseExists', pass: false, reason: 'no plan' });
  const run: RestoreRun = { deps, req, base, plan: checked.plan, scope: `db:${req.dbInstanceId}` };

  // 2. Create Snapshot (Before Restore), for going back.
  const snapshotStop = await createPreRestoreSnapshot(run);
  if (snapshotStop) return snapshotStop;

  // 3. Restore from Snapshot (or to a point in time) to a NEW instance, and wait until it is available.
  const restored = await restoreToNewInstance(run);
  if ('outcome' in restored) return restored;
  const { endpoint } = restored;

  // 4. Verify Restored Data: a human gate with the verification checklist.
  const approval = await verifyRestoredData(run, endpoint);
  if (approval.outcome !== 'APPROVED') return leaveNotSwitched(run, endpoint, approval.outcome);

  // 5. Switch Application to Restored Database.
  return switchApplication(run, endpoint);
}

async function validateRequest(req: RestoreRequest, deps: RestoreDeps): Promise<{ verdicts: Verdict[]; plan?: RestorePlan; pointAt?: number }> {
  return deps.wf.step('validate-request', async () => {
    const facts = await deps.ops.readFacts(req);
    const verdicts = validateRestoreRequest(req, facts, await deps.now());
    for (const v of verdicts) deps.rec.record({ kind: 'guardrail', summary: `${v.guardrail}: ${v.pass ? 'pass' : 'REFUSE'} - ${v.reason}`, verdict: v });
    const plan = facts.instance ? planRestore(req, { instance: facts.instance }) : undefined;
    // How old the data is: the point in time, or when the snapshot was taken.
    const pointAt = req.source.kind === 'point-in-time' ? req.source.restoreTime : facts.snapshot?.createdAt;
    return { verdicts, plan, pointAt };
  });
}

async function refuseRequest(deps: RestoreDeps, req: RestoreRequest, base: Base, verdicts: Verdict[], verdict: Verdict): Promise<RestoreOutcome> {
  await deps.wf.step('page-refused', async () => {
    await deps.page({
      ...base,
      action: 'trigger',
      severity: 'P2',
      title: `Restore of ${req.dbInstanceId} refused: ${verdict.guardrail}`,
      diagnosis: [`request by ${quoteUntrusted(req.requestedBy, 120)}: ${quoteUntrusted(req.reason)}`, `source: ${describeSource(req)}`, ...verdicts.map((v) => `${v.guardrail}: ${v.reason}`)],
      done: ['nothing was created or changed'],
      refused: [{ action: 'restore', guardrail: verdict.guardrail, reason: verdict.reason }],
      nextStep: `aws rds describe-db-snapshots --db-instance-identifier ${req.dbInstanceId} --query 'DBSnapshots[].[DBSnapshotIdentifier,SnapshotCreateTime]' --output table   # pick a valid source and re-request`,
    });
  });
  return { outcome: 'refused', verdict };
}

/** Runbook step 2: the snapshot, then wait for it; the outcome when the restore stops here. */
async function createPreRestoreSnapshot(run: RestoreRun): Promise<RestoreOutcome | undefined> {
  const { deps, req, base, plan } = run;
  const timeoutSeconds = deps.config.guardrails.restore.restoreTimeoutSeconds;
  const snap = await deps.wf.step('pre-restore-snapshot', async () => {
    if ((await deps.ops.snapshotStatus(plan.preRestoreSnapshotId)) !== undefined) return { status: 'executed' as const };
    return deps.act(
      { action: 'create-pre-restore-snapshot', scope: run.scope, summary: `create snapshot ${plan.preRestoreSnapshotId} of ${req.dbInstanceId}` },
      () => deps.ops.createSnapshot(req.dbInstanceId, plan.preRestoreSnapshotId),
    );
  });
  if (snap.status !== 'executed') return stopBeforeMutation(deps, req, base, snap, 'pre-restore snapshot');
  const snapshotReady = await waitUntil(deps, 'pre-restore-snapshot-available', timeoutSeconds, async () => (await deps.ops.snapshotStatus(plan.preRestoreSnapshotId)) === 'available');
  if (!snapshotReady) return failed(deps, req, base, 'pre-restore snapshot', `${plan.preRestoreSnapshotId} not available within ${timeoutSeconds}s`);
  return undefined;
}

/** Runbook step 3: restore to a NEW instance and wait until available; its endpoint, or the outcome when the restore stops. */
async function restoreToNewInstance(run: RestoreRun): Promise<{ endpoint: string } | RestoreOutcome> {
  const { deps, req, base, plan } = run;
  const { config, ops } = deps;
  const protectedIds = [config.database.primaryInstanceId, config.database.replicaInstanceId, req.dbInstanceId];
  const restore = await deps.wf.step('restore-to-new-instance', async () => {
    if (await ops.instanceState(plan.targetInstanceId)) return { status: 'executed' as const };
    return deps.act(
      {
        action: 'restore-db-instance',
        scope: run.scope,
        summary: `restore ${describeSource(req)} to new instance ${plan.targetInstanceId} (${plan.instanceClass}, not publicly accessible)`,
        extraVerdicts: [neverOverwriteVerdict(plan.targetInstanceId, protectedIds)],
      },
      () =>
        req.source.kind === 'snapshot'
          ? ops.restoreFromSnapshot(plan, req.source.snapshotId, req.dbInstanceId)
          : ops.restoreToPointInTime(plan, req.dbInstanceId, req.source.restoreTime),
    );
  });
  if (restore.status !== 'executed') return stopBeforeMutation(deps, req, base, restore, 'restore');

  const available = await waitUntil(deps, 'restored-instance-available', config.guardrails.restore.restoreTimeoutSeconds, () => restoredInstanceReady(run));
  if (!available) return failed(deps, req, base, 'restore', `${plan.targetInstanceId} not available within ${config.guardrails.restore.restoreTimeoutSeconds}s`);
  const endpoint = await deps.wf.step('restored-endpoint', async () => {
    const found = (await ops.instanceState(plan.targetInstanceId))?.endpoint;
    if (!found) throw new Error(`${plan.targetInstanceId} has no endpoint`);
    return found;
  });
  await deps.wf.step('record-prepared', async () => {
    deps.rec.record({ kind: 'decision', summary: `restored instance ${plan.targetInstanceId} is available at ${endpoint}; waiting for a human to verify and approve the switch` });
  });
  return { endpoint };
}

/** Ready means available AND an endpoint: a task definition is never built from a guess. */
async function restoredInstanceReady(run: RestoreRun): Promise<boolean> {
  const state = await run.deps.ops.instanceState(run.plan.targetInstanceId);
  return state?.status === 'available' && !!state.endpoint;
}

/** Runbook step 4: the verification checklist goes to a second person, not the requester, who approves the switch. */
async function verifyRestoredData(run: RestoreRun, endpoint: string): Promise<ApprovalOutcome> {
  const { deps, req, base, plan } = run;
  const { config, rec } = deps;
  const secondPerson = {
    wf: deps.wf,
    rec,
    now: deps.now,
    pageRefused: async (reason: string, round: number) =>
      deps.page({
        ...base,
        action: 'trigger',
        severity: 'P2',
        title: `Restore of ${req.dbInstanceId}: self-approval refused, the switch waits for a second person (round ${round})`,
        diagnosis: [`request by ${quoteUntrusted(req.requestedBy, 120)}: ${quoteUntrusted(req.reason)}`, reason],
        done: [`created snapshot ${plan.preRestoreSnapshotId}`, `restored ${describeSource(req)} to ${plan.targetInstanceId}`],
        refused: [{ action: 'switch-application', guardrail: 'SecondPerson', reason }],
        nextStep: 'Another approver (config operators.approvers) verifies the restored instance and approves with the command in the next page.',
      }),
  };
  const approval = await approvalBySecondPerson(secondPerson, 'approve-switch', config.guardrails.restore.approvalTimeoutSeconds, req.requestedBy, async (callbackId) => {
    const cmds = deps.approvalCommands(callbackId);
    rec.record({ kind: 'approval', summary: `approval requested to switch the application to ${plan.targetInstanceId}` });
    await deps.page({
      ...base,
      action: 'trigger',
      severity: 'P2',
      title: `Restore of ${req.dbInstanceId} prepared: verify ${plan.targetInstanceId} and approve the switch (not ${quoteUntrusted(req.requestedBy, 120)}: a second person)`,
      diagnosis: [
        `request by ${quoteUntrusted(req.requestedBy, 120)}: ${quoteUntrusted(req.reason)}`,
        `source: ${describeSource(req)}`,
        `restored endpoint: ${endpoint}`,
        `pre-restore snapshot (to go back): ${plan.preRestoreSnapshotId}`,
        ...verificationChecklist(endpoint, config.database.databaseName),
      ],
      done: [`created snapshot ${plan.preRestoreSnapshotId}`, `restored ${describeSource(req)} to ${plan.targetInstanceId}`],
      refused: [],
      nextStep: `Verify with the queries above, then approve: ${cmds.approve}   or reject: ${cmds.reject}`,
      approval: { callbackId, approveCommand: cmds.approve, rejectCommand: cmds.reject, expiresAt: (await deps.now()) + config.guardrails.restore.approvalTimeoutSeconds * 1000 },
    });
  });
  await deps.wf.step('record-approval', async () => {
    rec.record({ kind: 'approval', summary: `switch to ${plan.targetInstanceId}: ${approval.outcome}${'by' in approval && approval.by ? ` by ${quoteUntrusted(approval.by, 120)}` : ''}` });
  });
  return approval;
}

/** Rejected or expired: the restored instance stays in place for a human. */
async function leaveNotSwitched(run: RestoreRun, endpoint: string, outcome: Exclude<ApprovalOutcome['outcome'], 'APPROVED'>): Promise<RestoreOutcome> {
  const { deps, req, base, plan } = run;
  await deps.wf.step('page-not-switched', async () => {
    await deps.page({
      ...base,
      action: 'trigger',
      severity: 'P2',
      title: `Restore of ${req.dbInstanceId} NOT switched (${outcome}); restored instance left in place`,
      diagnosis: [`restored endpoint: ${endpoint}`, `pre-restore snapshot: ${plan.preRestoreSnapshotId}`],
      done: [`created snapshot ${plan.preRestoreSnapshotId}`, `restored to ${plan.targetInstanceId}`],
      refused: [{ action: 'switch-application', guardrail: 'HumanApproval', reason: outcome === 'EXPIRED' ? 'approval expired: counts as denied' : 'rejected by a human' }],
      nextStep: `Switch by hand (runbook 5 step 5) or delete the restored instance when no longer needed: aws rds delete-db-instance --db-instance-identifier ${plan.targetInstanceId} --final-db-snapshot-identifier ${plan.targetInstanceId}-final`,
    });
  });
  return { outcome: 'prepared-not-switched', approval: outcome, targetInstanceId: plan.targetInstanceId, preRestoreSnapshotId: plan.preRestoreSnapshotId };
}

/** Runbook step 5, option 1 (no downtime): a new task definition with the restored endpoint, rolled out. */
async function switchApplication(run: RestoreRun, endpoint: string): Promise<RestoreOutcome> {
  const { deps, req, base, plan } = run;
  const { config, ops } = deps;
  // Hours may have passed since the approval page: the restored instance must still be there.
  if (!(await deps.wf.step('restored-instance-still-available', () => restoredInstanceReady(run)))) {
    return failed(deps, req, base, 'switch application', `${plan.targetInstanceId} is no longer available: nothing was switched`);
  }
  // The live service (after a failover: the secondary one), and who deploys it. A CODE_DEPLOY service
  // rejects UpdateService with a new task definition: ECS says "Use AWS CodeDeploy to trigger a new deployment"
  // (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateService.html), so the switch is refused with a page.
  const live: LiveService = ops.liveService
    ? await deps.wf.step('read-live-service', async () => ops.liveService!(plan.targetInstanceId))
    : { region: config.service.region, cluster: config.service.clusterName, service: config.service.serviceName, deploymentController: 'ECS' };
  if (live.deploymentController === 'CODE_DEPLOY') {
    return failed(
      deps,
      req,
      base,
      'switch application',
      `${live.cluster}/${live.service} (${live.region}) is deployed by CodeDeploy (blue/green): UpdateService cannot change its task definition. Register a task definition with DATABASE_URL on ${endpoint} and start a CodeDeploy deployment of it (aws deploy create-deployment --application-name ${config.codeDeploy.applicationName} --deployment-group-name ${config.codeDeploy.deploymentGroupName} --revision <AppSpec naming the new task definition>).`,
      'P1',
    );
  }
  if (live.databaseUrlProblem) {
    // Fail closed before anything is registered: the restored instance stays for a switch by hand.
    return failed(
      deps,
      req,
      base,
      'switch application',
      `${live.service} (${live.region}) ${live.databaseUrlFrom ? `reads DATABASE_URL from ${live.databaseUrlFrom} that cannot be followed` : 'has a DATABASE_URL that cannot be rewritten'}: ${live.databaseUrlProblem}. Nothing was switched: point DATABASE_URL at ${endpoint} (a new reference, never the one the service reads now) and register a task definition with it (runbook 5 step 5) by hand.`,
      'P1',
    );
  }
  const switched = await deps.wf.step('switch-application', async () =>
    deps.act(
      { action: 'switch-application-database', scope: `service:${live.cluster}/${live.service}`, summary: `roll ${live.service} onto a task definition whose DATABASE_URL points at ${plan.targetInstanceId}` },
      () => ops.switchApplication(endpoint, plan.targetInstanceId, req.incidentKey),
    ),
  );
  if (switched.status !== 'executed') return stopBeforeMutation(deps, req, base, switched, 'switch application');
  const { taskDefinitionArn, databaseUrlWritten } = switched.result;
  if (databaseUrlWritten) {
    // The timeline names the reference written, never its value.
    const kind = databaseUrlWritten.kind === 'secretsmanager' ? 'Secrets Manager secret' : 'SSM parameter';
    await deps.wf.step('record-database-url-reference', async () => {
      deps.rec.record({ kind: 'note', summary: `DATABASE_URL of ${taskDefinitionArn} now from ${kind} ${databaseUrlWritten.arn} (${databaseUrlWritten.created ? 'written' : 'found, written earlier'} for incident ${req.incidentKey})` });
    });
  }
  const stable = await waitUntil(deps, 'service-stable-on-restored', config.guardrails.rollback.rolloutTimeoutSeconds, () => ops.serviceStableOn(taskDefinitionArn));
  // The service is rolling onto another database: customer-facing, so P1.
  if (!stable) return failed(deps, req, base, 'switch application', `${live.service} did not become stable on ${taskDefinitionArn}`, 'P1');

  await deps.wf.step('page-switched', async () => {
    await deps.page({
      ...base,
      action: 'resolve',
      severity: 'P2',
      title: `Restore of ${req.dbInstanceId} complete: application switched to ${plan.targetInstanceId}`,
      diagnosis: [`restored endpoint: ${endpoint}`, `task definition: ${taskDefinitionArn}`],
      done: [
        `created snapshot ${plan.preRestoreSnapshotId}`,
        `restored to ${plan.targetInstanceId}`,
        `switched ${live.service} (${live.region}) to ${taskDefinitionArn}`,
        ...(databaseUrlWritten ? [`DATABASE_URL read from ${databaseUrlWritten.arn} (new for this incident)`] : []),
      ],
      refused: [],
      nextStep: 'Post-restore validation (runbook 5): smoke tests, ask affected users to verify, watch error rates for 1 hour.',
    });
  });
  return { outcome: 'switched', targetInstanceId: plan.targetInstanceId, taskDefinitionArn, preRestoreSnapshotId: plan.preRestoreSnapshotId };
}

async function stopBeforeMutation(deps: RestoreDeps, req: RestoreRequest, base: Base, outcome: Exclude<ActOutcome<unknown>, { status: 'executed' }>, stage: string): Promise<RestoreOutcome> {
  if (outcome.status === 'dry-run') {
    await deps.wf.step(`page-dry-run-${stage}`, async () => {
      await deps.page({
        ...base,
        action: 'trigger',
        severity: 'P3',
        title: `DRY-RUN: restore of ${req.dbInstanceId} stopped before ${stage}`,
        diagnosis: [`source: ${describeSource(req)}`],
        done: [`dry-run: would ${stage}`],
        refused: [],
        nextStep: 'Turn dry-run off and re-request, or follow runbook 5 by hand.',
      });
    });
    return { outcome: 'failed', stage, reason: 'dry-run' };
  }
  const { guardrail, reason } = outcome;
  await deps.wf.step(`page-refused-${stage}`, async () => {
    await deps.page({
      ...base,
      action: 'trigger',
      severity: 'P2',
      title: `Restore of ${req.dbInstanceId} stopped before ${stage}: ${guardrail}`,
      diagnosis: [`source: ${describeSource(req)}`],
      done: [],
      refused: [{ action: stage, guardrail, reason }],
      nextStep: 'Follow runbook 5 by hand from this step, or clear the guardrail and re-request.',
    });
  });
  return { outcome: 'refused', verdict: { guardrail, pass: false, reason } };
}

async function failed(deps: RestoreDeps, req: RestoreRequest, base: Base, stage: string, reason: string, severity: 'P1' | 'P2' = 'P2'): Promise<RestoreOutcome> {
  await deps.wf.step(`page-failed-${stage}`, async () => {
    deps.rec.record({ kind: 'error', summary: `restore stopped at ${stage}: ${reason}` });
    await deps.page({
      ...base,
      action: 'trigger',
      severity,
      title: `Restore of ${req.dbInstanceId} stopped at ${stage}`,
      diagnosis: [reason],
      done: [],
      refused: [],
      nextStep: `Check the instance and snapshot states (aws rds describe-db-instances / describe-db-snapshots) and continue runbook 5 by hand from "${stage}".`,
    });
  });
  return { outcome: 'failed', stage, reason };
}

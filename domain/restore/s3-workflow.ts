/**
 * S3 restore as a workflow (runbook 5, "S3 Backup Restore"), in this order:
 *
 *   1. validate the request            restoreTime within the configured window, not in the
 *                                      future; an empty prefix (the whole bucket) only when
 *                                      the request says confirmWholeBucket
 *   2. dry-run pass                    list every page, plan every key, copy nothing
 *   3. the report, P2                  what would change; a dry-run request ends here
 *   4. a second person approves        an approver other than the requester; nothing is
 *                                      copied before (production reads these objects)
 *   5. the real run                    only the approved keys back to the approved versions,
 *                                      bounded per run and per bucket per day (an atomic
 *                                      counter in the state table), one step per page
 *   6. the result, P2
 *
 * Every page starts with the age of the restore point.
 */
import type { Page } from '../paging';
import type { Act, ApprovalOutcome, Recorder, Workflow } from '../ports';
import type { GuardrailName, Verdict } from '../guardrails';
import { formatAge, withRestorePointAge } from './restore-point';
import { planS3Restore, splitCompleteKeys, type ObjectVersion, type S3RestoreDecision } from './s3';
import { quoteUntrusted } from '../untrusted-text';
import { approvalBySecondPerson } from './second-person';

export interface S3RestoreRequest {
  incidentKey: string;
  bucket: string;
  prefix: string;
  restoreTime: number;
  dryRun: boolean;
  /** Required for an empty prefix (the whole bucket). */
  confirmWholeBucket?: boolean;
  requestedBy: string;
}

export interface S3RestoreOperations {
  listVersions(bucket: string, prefix: string, cursor?: { keyMarker?: string; versionIdMarker?: string }): Promise<{ versions: ObjectVersion[]; next?: { keyMarker?: string; versionIdMarker?: string } }>;
  copyVersion(bucket: string, key: string, versionId: string): Promise<void>;
}

export interface S3RestoreDeps {
  wf: Workflow;
  ops: S3RestoreOperations;
  act: Act;
  rec: Recorder;
  page(page: Omit<Page, 'at'>): Promise<void>;
  maxObjects: number;
  /** Safety bound on listing pages per run. */
  maxPages?: number;
  /** Reads the clock inside a step. */
  now(): Promise<number>;
  /** restoreTime at most this many days back. */
  windowDays: number;
  approvalTimeoutSeconds: number;
  approvalCommands(callbackId: string): { approve: string; reject: string };
  /**
   * Takes up to `want` objects from the bucket's budget for the current UTC day; returns how
   * many were granted (0 when the day's budget is spent). Atomic across executions.
   */
  reserveObjects(bucket: string, want: number): Promise<{ granted: number; usedToday: number; max: number }>;
}

export interface S3RestoreSummary {
  dryRun: boolean;
  planned: S3RestoreDecision[];
  copied: string[];
  refused?: string;
  /** The guardrail that stopped it (set with `refused`, its text). */
  refusedBy?: GuardrailName;
  /** Set when the bound stopped the run: resume from here. */
  resumeFrom?: { keyMarker?: string; versionIdMarker?: string };
}

/** Step 1: the request against the configured window and the whole-bucket rule. Pure. */
export function validateS3Request(req: S3RestoreRequest, now: number, windowDays: number): Verdict[] {
  const verdicts: Verdict[] = [];
  const oldest = now - windowDays * 86_400_000;
  if (req.restoreTime > now) {
    verdicts.push({ guardrail: 'S3RestoreTimeInWindow', pass: false, reason: `restoreTime ${iso(req.restoreTime)} is in the future` });
  } else if (req.restoreTime < oldest) {
    verdicts.push({
      guardrail: 'S3RestoreTimeInWindow',
      pass: false,
      reason: `OutOfWindow: restoreTime ${iso(req.restoreTime)} is ${formatAge(now - req.restoreTime)} back, more than the ${windowDays} days allowed (guardrails.restore.s3RestoreWindowDays)`,
    });
  } else {
    verdicts.push({ guardrail: 'S3RestoreTimeInWindow', pass: true, reason: `${iso(req.restoreTime)} is within the last ${windowDays} days` });
  }
  if (req.prefix === '' && req.confirmWholeBucket !== true) {
    verdicts.push({ guardrail: 'WholeBucketConfirmed', pass: false, reason: `EmptyPrefix: an empty prefix means every object in s3://${req.bucket}; send "confirmWholeBucket": true to mean it` });
  } else {
    verdicts.push({ guardrail: 'WholeBucketConfirmed', pass: true, reason: req.prefix === '' ? 'whole bucket, confirmed by the request' : `prefix ${quoteUntrusted(req.prefix, 200)}` });
  }
  return verdicts;
}

function iso(t: number): string {
  return new Date(t).toISOString();
}

type Cursor = { keyMarker?: string; versionIdMarker?: string };
type CopyDecision = Extract<S3RestoreDecision, { action: 'copy' }>;
type Base = { incidentKey: string; runbook: 'restore-from-backup'; resource: string };

/** One S3 restore: deps (pages carry the restore point's age), the request, and the summary the steps fill in. */
interface S3RestoreRun {
  deps: S3RestoreDeps;
  req: S3RestoreRequest;
  base: Base;
  /** The bucket and prefix as the pages show them. */
  where: string;
  summary: S3RestoreSummary;
}

/** The dry-run pass's plan as the report and the approval page show it. */
interface DryRunReport {
  toChange: CopyDecision[];
  skipped: S3RestoreDecision[];
  lines: string[];
}

export async function runS3Restore(req: S3RestoreRequest, input: S3RestoreDeps): Promise<S3RestoreSummary> {
  const run: S3RestoreRun = {
    // Every page of this restore starts with the restore point's age.
    deps: { ...input, page: async (p) => input.page(withRestorePointAge(p, req.restoreTime, await input.now())) },
    req,
    base: { incidentKey: req.incidentKey, runbook: 'restore-from-backup', resource: `arn:aws:s3:::${req.bucket}` },
    where: `s3://${req.bucket}/${quoteUntrusted(req.prefix, 200)}`,
    summary: { dryRun: req.dryRun, planned: [], copied: [] },
  };
  const { deps, summary } = run;

  // 1. Validate: nothing is listed for a request that must not run.
  const verdicts = await validateRequest(run);
  const refusal = verdicts.find((v) => !v.pass);
  if (refusal) return refuseRequest(run, verdicts, refusal);

  // 2. Dry-run pass: the plan from the version listing alone.
  summary.planned = await planPass(req, deps);
  const report = dryRunReport(summary.planned);

  // 3. The report.
  await reportPlan(run, report);
  if (req.dryRun || report.toChange.length === 0) {
    if (!req.dryRun) await pageResult(deps, req, run.base, run.where, summary, 'nothing to restore: every object already matches the restore time');
    return summary;
  }

  // 4. A second person approves the report before anything is copied.
  const approval = await secondPersonApproves(run, report);
  if (approval.outcome !== 'APPROVED') return notRestored(run, approval);

  // 5. The real run: only what was approved, exactly as approved.
  const approved = new Map(report.toChange.map((d) => [d.key, d.fromVersionId]));
  await copyPass(req, deps, approved, summary);

  // 6. The result.
  await pageResult(deps, req, run.base, run.where, summary);
  return summary;
}

async function validateRequest({ deps, req }: S3RestoreRun): Promise<Verdict[]> {
  return deps.wf.step('s3-validate-request', async () => {
    const checked = validateS3Request(req, await deps.now(), deps.windowDays);
    for (const v of checked) deps.rec.record({ kind: 'guardrail', summary: `${v.guardrail}: ${v.pass ? 'pass' : 'REFUSE'} - ${v.reason}`, verdict: v });
    return checked;
  });
}

async function refuseRequest({ deps, req, base, where, summary }: S3RestoreRun, verdicts: Verdict[], refusal: Verdict): Promise<S3RestoreSummary> {
  await deps.wf.step('s3-page-refused', async () => {
    await deps.page({
      ...base,
      action: 'trigger',
      severity: 'P2',
      title: `S3 restore of ${where} refused: ${refusal.guardrail}`,
      diagnosis: [`request by ${quoteUntrusted(req.requestedBy, 120)}`, ...verdicts.map((v) => `${v.guardrail}: ${v.reason}`)],
      done: ['nothing was listed, copied or changed'],
      refused: [{ action: 's3-restore', guardrail: refusal.guardrail, reason: refusal.reason }],
      nextStep: 'Send a corrected S3 Restore Requested (autopilot request s3-restore ...) or restore by hand (runbook 5, S3 Backup Restore).',
    });
  });
  return { ...summary, refused: `${refusal.guardrail}: ${refusal.reason}`, refusedBy: refusal.guardrail };
}

function dryRunReport(planned: S3RestoreDecision[]): DryRunReport {
  const toChange = planned.filter((d): d is CopyDecision => d.action === 'copy');
  const skipped = planned.filter((d) => d.action === 'skip');
  const lines = [
    ...toChange.slice(0, 50).map((d) => `${quoteUntrusted(d.key, 200)}: ${d.reason} -> version ${d.fromVersionId}`),
    ...(toChange.length > 50 ? [`... and ${toChange.length - 50} more object(s)`] : []),
    ...skipped.slice(0, 20).map((d) => `${quoteUntrusted(d.key, 200)}: skipped, ${d.reason}`),
  ];
  return { toChange, skipped, lines };
}

/** Step 3: the report is recorded; a dry-run request is also paged it (otherwise the approval page carries it). */
async function reportPlan({ deps, req, base, where }: S3RestoreRun, report: DryRunReport): Promise<void> {
  const { toChange, skipped } = report;
  await deps.wf.step('s3-restore-report', async () => {
    deps.rec.record({
      kind: 'decision',
      summary: `DRY-RUN S3 restore of ${where} to ${iso(req.restoreTime)}: would restore ${toChange.length} object(s), skip ${skipped.length}`,
      detail: { keys: toChange.map((d) => d.key) },
    });
    if (!req.dryRun) return;
    await deps.page({
      ...base,
      action: 'trigger',
      severity: 'P2',
      title: `DRY-RUN S3 restore of ${where}: ${toChange.length} object(s) would change`,
      diagnosis: [`request by ${quoteUntrusted(req.requestedBy, 120)}`, ...report.lines],
      done: ['dry run: nothing copied'],
      refused: [],
      nextStep: 'Review the keys above, then ask again with "dryRun": false: the real run needs an approver other than the requester.',
    });
  });
}

async function secondPersonApproves({ deps, req, base, where }: S3RestoreRun, report: DryRunReport): Promise<ApprovalOutcome> {
  const { toChange } = report;
  const approval: ApprovalOutcome = await approvalBySecondPerson(
    {
      wf: deps.wf,
      rec: deps.rec,
      now: deps.now,
      pageRefused: (reason, round) =>
        deps.page({
          ...base,
          action: 'trigger',
          severity: 'P2',
          title: `S3 restore of ${where}: self-approval refused, waiting for a second person (round ${round})`,
          diagnosis: [`request by ${quoteUntrusted(req.requestedBy, 120)}`, reason],
          done: ['dry run only: nothing copied'],
          refused: [{ action: 's3-restore-objects', guardrail: 'SecondPerson', reason }],
          nextStep: 'Another approver (config operators.approvers) reviews the report and approves with the command in the next page.',
        }),
    },
    'approve-s3-restore',
    deps.approvalTimeoutSeconds,
    req.requestedBy,
    async (callbackId) => {
      const cmds = deps.approvalCommands(callbackId);
      deps.rec.record({ kind: 'approval', summary: `approval requested to copy ${toChange.length} object(s) under ${where}` });
      await deps.page({
        ...base,
        action: 'trigger',
        severity: 'P2',
        title: `S3 restore of ${where}: approve copying ${toChange.length} object(s) back (not ${quoteUntrusted(req.requestedBy, 120)}: a second person)`,
        diagnosis: [`request by ${quoteUntrusted(req.requestedBy, 120)}`, ...report.lines],
        done: ['dry run: nothing copied yet'],
        refused: [],
        nextStep: `Review the keys, then approve: ${cmds.approve}   or reject: ${cmds.reject}`,
        approval: { callbackId, approveCommand: cmds.approve, rejectCommand: cmds.reject, expiresAt: (await deps.now()) + deps.approvalTimeoutSeconds * 1000 },
      });
    },
  );
  await deps.wf.step('s3-record-approval', async () => {
    deps.rec.record({ kind: 'approval', summary: `S3 restore of ${where}: ${approval.outcome}${'by' in approval && approval.by ? ` by ${approval.by}` : ''}` });
  });
  return approval;
}

/** Rejected or expired: nothing is copied, the result page says why. */
async function notRestored({ deps, req, base, where, summary }: S3RestoreRun, approval: ApprovalOutcome): Promise<S3RestoreSummary> {
  const why = approval.outcome === 'EXPIRED' ? 'approval expired: counts as denied' : `rejected${'by' in approval && approval.by ? ` by ${approval.by}` : ''}`;
  const refused: S3RestoreSummary = { ...summary, refused: `HumanApproval: ${why}`, refusedBy: 'HumanApproval' };
  await pageResult(deps, req, base, where, refused, `NOT restored (${approval.outcome})`);
  return refused;
}

async function planPass(req: S3RestoreRequest, deps: S3RestoreDeps): Promise<S3RestoreDecision[]> {
  const planned: S3RestoreDecision[] = [];
  let cursor: Cursor | undefined;
  let carry: ObjectVersion[] = [];
  for (let pageNo = 0; pageNo < (deps.maxPages ?? 1000); pageNo++) {
    const result = await deps.wf.step(`s3-plan-page-${pageNo}`, async () => {
      const listed = await deps.ops.listVersions(req.bucket, req.prefix, cursor);
      const { complete, carry: nextCarry } = splitCompleteKeys([...carry, ...listed.versions], listed.next !== undefined, listed.next?.keyMarker);
      return { decisions: planS3Restore(complete, req.restoreTime), next: listed.next, carry: nextCarry };
    });
    planned.push(...result.decisions);
    carry = result.carry;
    cursor = result.next;
    if (!cursor) break;
  }
  return planned;
}

async function copyPass(req: S3RestoreRequest, deps: S3RestoreDeps, approved: Map<string, string>, summary: S3RestoreSummary): Promise<void> {
  let cursor: Cursor | undefined;
  let carry: ObjectVersion[] = [];
  for (let pageNo = 0; pageNo < (deps.maxPages ?? 1000); pageNo++) {
    const result = await deps.wf.step(`s3-page-${pageNo}`, async () => {
      const listed = await deps.ops.listVersions(req.bucket, req.prefix, cursor);
      const { complete, carry: nextCarry } = splitCompleteKeys([...carry, ...listed.versions], listed.next !== undefined, listed.next?.keyMarker);
      // Re-planned from live versions: a key changed since the report is left alone (not what was approved).
      const live = planS3Restore(complete, req.restoreTime).filter((d): d is CopyDecision => d.action === 'copy' && approved.get(d.key) === d.fromVersionId);
      const room = Math.max(0, deps.maxObjects - summary.copied.length);
      let batch = live.slice(0, room);
      let copied: string[] = [];
      let refused: string | undefined;
      let refusedBy: GuardrailName | undefined;
      if (batch.length > 0) {
        const budget = await deps.reserveObjects(req.bucket, batch.length);
        if (budget.granted < batch.length) {
          refusedBy = 'S3DailyObjectBudget';
          refused = `S3DailyObjectBudget: ${budget.usedToday} of ${budget.max} objects of s3://${req.bucket} already restored today (guardrails.restore.s3MaxObjectsPerBucketPerDay)`;
          batch = batch.slice(0, budget.granted);
        }
      }
      if (batch.length > 0) {
        // One guarded action per listing page: one action against maxActions, but every copy is a
        // mutating call and counts against the breaker's maxMutations; lock, kill switch, dry-run apply.
        const outcome = await deps.act(
          { action: 's3-restore-objects', scope: `s3:${req.bucket}`, mutations: batch.length, summary: `copy ${batch.length} object(s) under s3://${req.bucket}/${quoteUntrusted(req.prefix, 200)} back to their approved versions at the restore time` },
          async () => {
            const done: string[] = [];
            for (const d of batch) {
              await deps.ops.copyVersion(req.bucket, d.key, d.fromVersionId);
              done.push(d.key);
            }
            return done;
          },
        );
        if (outcome.status === 'refused') {
          refusedBy = outcome.guardrail;
          refused = `${outcome.guardrail}: ${outcome.reason}`;
        }
        if (outcome.status === 'dry-run') {
          refusedBy = 'DryRun';
          refused = 'DryRun: the dry-run switch is on, nothing copied';
        }
        if (outcome.status === 'executed') copied = outcome.result;
      }
      const pending = live.length - copied.length;
      return { copied, refused, refusedBy, pending, next: listed.next, carry: nextCarry };
    });
    summary.copied.push(...result.copied);
    carry = result.carry;
    cursor = result.next;
    if (result.refused) {
      summary.refused = result.refused;
      summary.refusedBy = result.refusedBy;
      break;
    }
    if (result.pending > 0 && summary.copied.length >= deps.maxObjects) {
      summary.resumeFrom = cursor ?? {};
      break;
    }
    if (!cursor) break;
  }
}

async function pageResult(deps: S3RestoreDeps, req: S3RestoreRequest, base: Base, where: string, summary: S3RestoreSummary, headline?: string): Promise<void> {
  const planned = summary.planned.filter((d) => d.action === 'copy').length;
  await deps.wf.step('s3-restore-result', async () => {
    deps.rec.record({ kind: 'decision', summary: `S3 restore of ${where}: restored ${summary.copied.length}/${planned} object(s)${summary.refused ? `; stopped: ${summary.refused}` : ''}` });
    await deps.page({
      ...base,
      action: 'trigger',
      severity: 'P2',
      title: `S3 restore of ${where}: ${headline ?? `${summary.copied.length} of ${planned} object(s) restored`}`,
      diagnosis: [`request by ${quoteUntrusted(req.requestedBy, 120)}`, ...summary.copied.slice(0, 50).map((k) => `restored ${quoteUntrusted(k, 200)}`)],
      done: summary.copied.length > 0 ? [`restored ${summary.copied.length} object(s)`] : ['nothing copied'],
      refused: summary.refused && summary.refusedBy ? [{ action: 's3-restore-objects', guardrail: summary.refusedBy, reason: summary.refused }] : [],
      nextStep: summary.resumeFrom
        ? `Bound of ${deps.maxObjects} objects per run reached: request the same restore again to continue.`
        : summary.refusedBy === 'S3DailyObjectBudget'
          ? 'The bucket\'s object budget for today is spent: request again tomorrow (UTC), or restore the rest by hand.'
          : 'Verify the restored objects (aws s3api list-object-versions) and notify affected users.',
    });
  });
}

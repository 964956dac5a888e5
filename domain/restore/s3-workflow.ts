/**
 * S3 restore as a workflow: one checkpointed step per listing page, so a crash resumes at
 * the page it stopped on, and a bound on objects per run. Dry-run first: the plan is
 * recorded and paged, nothing is copied.
 */
import type { Page } from '../paging';
import type { Act, Recorder, Workflow } from '../ports';
import { planS3Restore, splitCompleteKeys, type ObjectVersion, type S3RestoreDecision } from './s3';
import { quoteUntrusted } from '../untrusted-text';

export interface S3RestoreRequest {
  incidentKey: string;
  bucket: string;
  prefix: string;
  restoreTime: number;
  dryRun: boolean;
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
}

export interface S3RestoreSummary {
  dryRun: boolean;
  planned: S3RestoreDecision[];
  copied: string[];
  refused?: string;
  /** Set when the bound stopped the run: resume from here. */
  resumeFrom?: { keyMarker?: string; versionIdMarker?: string };
}

export async function runS3Restore(req: S3RestoreRequest, deps: S3RestoreDeps): Promise<S3RestoreSummary> {
  const summary: S3RestoreSummary = { dryRun: req.dryRun, planned: [], copied: [] };
  let cursor: { keyMarker?: string; versionIdMarker?: string } | undefined;
  let carry: ObjectVersion[] = [];
  const maxPages = deps.maxPages ?? 1000;
  for (let pageNo = 0; pageNo < maxPages; pageNo++) {
    const result = await deps.wf.step(`s3-page-${pageNo}`, async () => {
      const listed = await deps.ops.listVersions(req.bucket, req.prefix, cursor);
      const { complete, carry: nextCarry } = splitCompleteKeys([...carry, ...listed.versions], listed.next !== undefined, listed.next?.keyMarker);
      const decisions = planS3Restore(complete, req.restoreTime);
      let copied: string[] = [];
      let refused: string | undefined;
      const room = Math.max(0, deps.maxObjects - summary.copied.length);
      const batch = req.dryRun ? [] : decisions.filter((d): d is Extract<S3RestoreDecision, { action: 'copy' }> => d.action === 'copy').slice(0, room);
      if (batch.length > 0) {
        // One guarded action per listing page: one action against maxActions (an operator's
        // restore of a thousand photos is one remediation), but every copy is a mutating call
        // and counts against the breaker's maxMutations.
        const outcome = await deps.act(
          { action: 's3-restore-objects', scope: `s3:${req.bucket}`, mutations: batch.length, summary: `copy ${batch.length} object(s) under s3://${req.bucket}/${quoteUntrusted(req.prefix, 200)} back to their versions at the restore time` },
          async () => {
            const done: string[] = [];
            for (const d of batch) {
              await deps.ops.copyVersion(req.bucket, d.key, d.fromVersionId);
              done.push(d.key);
            }
            return done;
          },
        );
        if (outcome.status === 'refused') refused = `${outcome.guardrail}: ${outcome.reason}`;
        if (outcome.status === 'executed') copied = outcome.result;
      }
      return { decisions, copied, refused, next: listed.next, carry: nextCarry };
    });
    summary.planned.push(...result.decisions);
    summary.copied.push(...result.copied);
    carry = result.carry;
    cursor = result.next;
    if (result.refused) {
      summary.refused = result.refused;
      break;
    }
    const changes = summary.planned.filter((d) => d.action === 'copy').length;
    if (!req.dryRun && summary.copied.length >= deps.maxObjects && changes > summary.copied.length) {
      summary.resumeFrom = cursor;
      break;
    }
    if (!cursor) break;
  }

  const toChange = summary.planned.filter((d) => d.action === 'copy');
  const skipped = summary.planned.filter((d) => d.action === 'skip');
  await deps.wf.step('s3-restore-report', async () => {
    deps.rec.record({
      kind: 'decision',
      summary: req.dryRun
        ? `DRY-RUN S3 restore of s3://${req.bucket}/${quoteUntrusted(req.prefix, 200)} to ${new Date(req.restoreTime).toISOString()}: would restore ${toChange.length} object(s), skip ${skipped.length}`
        : `S3 restore of s3://${req.bucket}/${quoteUntrusted(req.prefix, 200)}: restored ${summary.copied.length}/${toChange.length} object(s)`,
      detail: { keys: toChange.map((d) => d.key) },
    });
    await deps.page({
      incidentKey: req.incidentKey,
      runbook: 'restore-from-backup',
      resource: `arn:aws:s3:::${req.bucket}`,
      action: 'trigger',
      severity: 'P3',
      title: `${req.dryRun ? 'DRY-RUN ' : ''}S3 restore of s3://${req.bucket}/${quoteUntrusted(req.prefix, 200)}: ${req.dryRun ? toChange.length + ' object(s) would change' : summary.copied.length + ' object(s) restored'}`,
      diagnosis: [
        ...toChange.slice(0, 50).map((d) => `${quoteUntrusted(d.key, 200)}: ${d.reason} -> version ${d.action === 'copy' ? d.fromVersionId : ''}`),
        ...skipped.slice(0, 20).map((d) => `${quoteUntrusted(d.key, 200)}: skipped, ${d.reason}`),
      ],
      done: req.dryRun ? ['dry run: nothing copied'] : summary.copied.map((k) => `restored ${quoteUntrusted(k, 200)}`).slice(0, 50),
      refused: summary.refused ? [{ action: 's3-restore-object', guardrail: summary.refused.split(':')[0] ?? 'guardrail', reason: summary.refused }] : [],
      nextStep: req.dryRun
        ? 'Review the keys above, then send the same S3 Restore Requested event with "dryRun": false.'
        : summary.resumeFrom
          ? `Bound of ${deps.maxObjects} objects reached: send the request again to continue.`
          : 'Verify the restored objects (aws s3api list-object-versions) and notify affected users.',
    });
  });
  return summary;
}

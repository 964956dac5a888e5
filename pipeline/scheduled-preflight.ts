/**
 * The readiness check as a scheduled function (issue 16 item 3): the same checks as
 * `autopilot preflight` (domain/preflight.ts over adapters/aws/preflight.ts), once a day,
 * before any incident. Publishes RunbookReady (1 ready / 0 not) per runbook in the
 * RunbookAutopilot namespace, and pages P3 for each runbook NOT READY with the failed checks;
 * a runbook READY again resolves its page. Read-only towards the estate (PutMetricData and
 * SNS Publish are its only writes).
 *
 * NOT yet deployed: serverless.yml / infra have no function or schedule for it (see the
 * README, "Adopt it in your account"); `autopilot preflight` runs the same checks by hand.
 */
import { RUNBOOKS } from '../domain/config';
import { notReadyPage, preflight, type RunbookReadiness } from '../domain/preflight';
import { READINESS_KEY_PREFIX } from '../domain/modes';
import { readPreflightFacts } from '../adapters/aws/preflight';
import { publishReadiness } from '../adapters/aws/readiness-metric';
import type { Runtime } from '../adapters/runtime/runtime-types';

export async function runScheduledPreflight(rt: Runtime): Promise<RunbookReadiness[]> {
  const now = rt.clock.now();
  const results = preflight(rt.config, await readPreflightFacts(rt.aws, rt.config, now), now);
  await publishReadiness(rt.aws, rt.config.primaryRegion, rt.config.stage, results, now);
  for (const r of results) {
    const page = notReadyPage(r, now, rt.config.stage);
    if (!r.ready) await rt.pager.send(page);
    else if (await rt.store.isOwnChange(`paged:${READINESS_KEY_PREFIX}${r.runbook}:P3`)) {
      // It paged NOT READY before: resolve that alert (same incident key, same topic).
      await rt.pager.send({ ...page, action: 'resolve', title: `${r.runbook} READY again`, diagnosis: [], done: ['nothing: a readiness check'] });
    }
  }
  if (results.length !== RUNBOOKS.length) throw new Error('preflight did not judge every runbook');
  return results;
}

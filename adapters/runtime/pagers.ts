/**
 * Pager decorators every runtime stacks around the SNS pager: resolves go where the incident
 * was triggered, and every page carries its runbook's mode (shadow / dry-run pages say "would").
 */
import type { RunbookId, Severity } from '../../domain/config';
import type { Clock, GuardrailStore, Pager } from '../../domain/ports';
import type { Page } from '../../domain/paging';
import { stampPage, type ModeReading } from '../../domain/modes';

/** The command that turns the kill switch on (README: "Kill switch and dry-run live in the state table"). */
export function killSwitchCommand(tableName: string, region: string): string {
  return (
    `aws dynamodb update-item --region ${region} --table-name ${tableName} --key '{"pk":{"S":"controls"},"sk":{"S":"controls"}}' ` +
    `--update-expression 'SET killSwitch = :on, setBy = :by, reason = :why' ` +
    `--expression-attribute-values '{":on":{"BOOL":true},":by":{"S":"'$USER'"},":why":{"S":"automation circuit breaker open"}}'`
  );
}

/**
 * PagerDuty applies a resolve only through the routing key (topic) that opened the alert
 * (../shared/reference/PAGERDUTY.md section 1). An incident may trigger at P2 and resolve
 * with a P4 summary: the resolve goes to every severity that was triggered for the
 * incident, remembered in the state table, and to its own severity only when nothing was.
 */
export function resolvesWhereTriggered(inner: Pager, store: GuardrailStore, clock: Clock): Pager {
  const mark = (key: string, severity: Severity): string => `paged:${key}:${severity}`;
  return {
    async send(page: Page): Promise<void> {
      if (page.action === 'trigger') {
        await inner.send(page);
        await store.markOwnChange(mark(page.incidentKey, page.severity), page.incidentKey, clock.now());
        return;
      }
      const severities = ['P1', 'P2', 'P3', 'P4'] as const;
      const marks = severities.map((severity) => mark(page.incidentKey, severity));
      // One BatchGetItem for the four marks where the store has it, else one read each.
      const found = store.ownChanges ? await store.ownChanges(marks) : new Set(await Promise.all(marks.map(async (m) => ((await store.isOwnChange(m)) ? m : ''))));
      const triggered: Severity[] = severities.filter((_, i) => found.has(marks[i]!));
      for (const severity of triggered.length > 0 ? triggered : [page.severity]) await inner.send({ ...page, severity });
    },
  };
}

/** Stamps every page with its runbook's mode and words shadow / dry-run pages "would" (domain/modes.ts stampPage). */
export function modeStampingPager(inner: Pager, modeOf: (runbook: RunbookId) => Promise<ModeReading>, dryRunOn: () => Promise<boolean>): Pager {
  return {
    async send(page: Page): Promise<void> {
      const [mode, dryRun] = await Promise.all([modeOf(page.runbook), dryRunOn().catch(() => true)]);
      await inner.send(stampPage(page, mode.mode, dryRun));
    },
  };
}

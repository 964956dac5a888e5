/** A page as plain text: what `messageIncludes` searches and what the report quotes. */
import type { Page } from '../domain/paging';

export function renderPageText(page: Page): string {
  const lines = [`[${page.severity}] ${page.action}: ${page.title}`, `resource: ${page.resource}`];
  if (page.diagnosis.length) lines.push('diagnosis:', ...page.diagnosis.map((d) => `  - ${d}`));
  if (page.done.length) lines.push('done:', ...page.done.map((d) => `  - ${d}`));
  if (page.refused.length) lines.push('refused:', ...page.refused.map((r) => `  - ${r.action}: ${r.guardrail}: ${r.reason}`));
  lines.push(`next step: ${page.nextStep}`);
  if (page.approval) lines.push(`approve: ${page.approval.approveCommand}`, `reject: ${page.approval.rejectCommand}`);
  return lines.join('\n');
}

/**
 * Issue 14 item 7 where the text enters a page: a requester's reason, an alarm's reason and
 * evidence lines carrying an injected instruction, Markdown and newlines reach the rendered
 * page as one quoted, escaped, bounded line each - never as a line of our own.
 */
import { renderBody } from './pagerduty';
import type { Page } from './paging';
import { triggerLine } from './rollback/steps';
import { triggerLines } from './scaling/steps';

const INJECTED = 'deploy broke checkout\n\nNEXT STEP: approve now [here](https://evil.example) **urgent**';

function page(diagnosis: string[]): Page {
  return { incidentKey: 'k', action: 'trigger', severity: 'P2', runbook: 'rollback-deployment', title: 't', resource: 'r', at: 0, diagnosis, done: [], refused: [], nextStep: 'our own next step' };
}

function assertInert(body: string): void {
  // The injected instruction never starts a line, and our own NEXT STEP line is the only one.
  expect(body.split('\n').filter((l) => /^\s*(- )?NEXT STEP:/i.test(l))).toEqual([]);
  expect(body.split('\n').filter((l) => l === 'NEXT STEP')).toHaveLength(1);
  expect(body).not.toContain('[here](https://evil.example)');
  expect(body).not.toContain('**urgent**');
  expect(body).toContain('\\n\\nNEXT STEP: approve now \\[here\\]\\(https://evil.example\\) \\*\\*urgent\\*\\*');
}

describe('untrusted text in pages', () => {
  it('a Rollback Requested reason and requester', () => {
    const line = triggerLine({ incidentKey: 'k', eventId: 'e', detectedAt: 0, trigger: { kind: 'rollback-requested', reason: INJECTED, requestedBy: 'mallory\nP1: ignore', evidence: [] } });
    expect(line).not.toContain('\n');
    expect(line).toMatch(/^rollback requested by "mallory\\nP1: ignore": "deploy broke checkout/);
    assertInert(renderBody(page([line])));
  });

  it('an alarm reason and hand-off evidence (scale)', () => {
    const lines = [
      ...triggerLines({ kind: 'cpu-alarm', alarmName: 'regami-ecs-cpu-high', stateChangedAt: 0, reason: INJECTED } as never),
      ...triggerLines({ kind: 'scale-requested', requestedBy: 'investigate-5xx', reason: 'cpu', evidence: [INJECTED] } as never),
    ];
    for (const l of lines) expect(l).not.toContain('\n');
    assertInert(renderBody(page(lines)));
  });

  it('a very long reason is bounded', () => {
    const line = triggerLine({ incidentKey: 'k', eventId: 'e', detectedAt: 0, trigger: { kind: 'rollback-requested', reason: 'A'.repeat(10_000), requestedBy: 'ops', evidence: [] } });
    expect(line.length).toBeLessThan(400);
    expect(line).toMatch(/\[\+9700 chars\]$/);
  });
});

/** Per-runbook modes: the effective mode, the Actuator's verdict, and "would" wording (issue 16 item 4). */
import { effectiveMode, isWorded, modeVerdict, stampPage, wouldPage } from './modes';
import type { Page } from './paging';

const page = (over: Partial<Page> = {}): Page => ({
  incidentKey: 'scale-ecs-regami-service-1',
  action: 'trigger',
  severity: 'P4',
  runbook: 'scale-ecs',
  title: 'regami-service scaled out 2 -> 4',
  resource: 'regami-cluster/regami-service',
  at: 0,
  diagnosis: ['CPU 93%'],
  done: ['scaled out 2 -> 4'],
  refused: [],
  nextStep: 'none',
  ...over,
});

describe('effectiveMode', () => {
  it('is the config default when the state table has no override', () => {
    expect(effectiveMode('scale-ecs', 'live', undefined)).toEqual({ runbook: 'scale-ecs', mode: 'live', source: 'config' });
  });

  it('is the state-table override when it is one of off | shadow | live', () => {
    expect(effectiveMode('scale-ecs', 'live', 'shadow')).toEqual({ runbook: 'scale-ecs', mode: 'shadow', source: 'state table' });
    expect(effectiveMode('scale-ecs', 'shadow', 'live').mode).toBe('live');
    expect(effectiveMode('scale-ecs', 'live', 'off').mode).toBe('off');
  });

  it('reads an unknown or mistyped override as shadow (fail closed) and says so, quoting it bounded', () => {
    for (const bad of ['LIVE', 'on', '', 1, { S: 'live' }, 'x'.repeat(500)]) {
      const reading = effectiveMode('database-failover', 'live', bad);
      expect(reading.mode).toBe('shadow');
      expect(reading.source).toBe('unreadable override');
      expect(reading.note).toMatch(/is not one of off \| shadow \| live: read as shadow \(fail closed/);
      expect(reading.note!.length).toBeLessThan(250);
    }
  });

  it('reads an unreadable controls item as shadow', () => {
    const reading = effectiveMode('rollback-deployment', 'live', undefined, 'ResourceNotFoundException: no table');
    expect(reading).toMatchObject({ mode: 'shadow', source: 'unreadable override' });
    expect(reading.note).toContain('ResourceNotFoundException');
  });
});

describe('modeVerdict', () => {
  it('passes live, passes shadow as a dry run, refuses off', () => {
    expect(modeVerdict({ runbook: 'scale-ecs', mode: 'live', source: 'config' })).toMatchObject({ guardrail: 'RunbookMode', pass: true, dryRun: false });
    expect(modeVerdict({ runbook: 'scale-ecs', mode: 'shadow', source: 'config' })).toMatchObject({ pass: true, dryRun: true, reason: expect.stringMatching(/would act, nothing is changed/) });
    expect(modeVerdict({ runbook: 'scale-ecs', mode: 'off', source: 'state table' })).toMatchObject({ pass: false, dryRun: false, reason: expect.stringMatching(/off \(state table\)/) });
  });
});

describe('would wording', () => {
  it('a shadow page says "would" and lists nothing as done; what it would have done moves to the diagnosis', () => {
    const worded = wouldPage(page(), 'shadow');
    expect(worded.title).toBe('[SHADOW] would: regami-service scaled out 2 -> 4');
    expect(worded.done).toEqual(['nothing: scale-ecs is in shadow mode, no AWS resource was changed']);
    expect(worded.diagnosis).toEqual(['CPU 93%', 'would have: scaled out 2 -> 4']);
    expect(isWorded(worded)).toBe(true);
  });

  it('keeps a title that already says would, and the "would have" of a DRY-RUN line once', () => {
    const worded = wouldPage(page({ title: 'regami-service: would scale out 2 -> 4', done: ['DRY-RUN: would have scaled 2 -> 4'] }), 'dry-run');
    expect(worded.title).toBe('[DRY-RUN] regami-service: would scale out 2 -> 4');
    expect(worded.diagnosis).toEqual(['CPU 93%', 'would have: scaled 2 -> 4']);
    expect(worded.done[0]).toMatch(/^nothing: dry-run is on/);
  });

  it('isWorded catches a page that claims an action', () => {
    expect(isWorded(page())).toBe(false);
    expect(isWorded(page({ title: 'would scale', done: ['tasks restarted'] }))).toBe(false);
    expect(isWorded(page({ title: 'would scale', done: [] }))).toBe(true);
  });

  it('stampPage puts the mode on every page, and rewords only shadow or dry-run pages', () => {
    expect(stampPage(page(), 'live', false)).toEqual({ ...page(), mode: 'live' });
    expect(stampPage(page(), 'live', true)).toMatchObject({ mode: 'live', title: '[DRY-RUN] would: regami-service scaled out 2 -> 4' });
    expect(stampPage(page(), 'shadow', false)).toMatchObject({ mode: 'shadow', title: '[SHADOW] would: regami-service scaled out 2 -> 4' });
  });
});

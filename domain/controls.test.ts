import { CONTROL_ATTRIBUTES, controlsAnomalyKey, readControlsItem } from './controls';
import { RUNBOOKS } from './config';
import { killSwitchVerdict } from './guardrails';

const key = { pk: { S: 'controls' }, sk: { S: 'controls' } };

describe('controls item: fails closed', () => {
  it('no item is the only clean OFF; well-typed switches read as written', () => {
    expect(readControlsItem(undefined)).toEqual({ killSwitch: false, dryRun: false, anomalies: [] });
    expect(readControlsItem({ ...key, killSwitch: { BOOL: false }, dryRun: { BOOL: true }, setBy: { S: 'alice' }, reason: { S: 'maintenance' }, updatedAt: { N: '1' } })).toEqual({
      killSwitch: false,
      dryRun: true,
      setBy: 'alice',
      reason: 'maintenance',
      anomalies: [],
    });
  });

  it.each([
    ['killSwitch as {"S":"true"}', { killSwitch: { S: 'true' } }, /killSwitch holds S, not BOOL/],
    ['killSwitch as {"S":"false"}', { killSwitch: { S: 'false' } }, /killSwitch holds S, not BOOL/],
    ['killSwitch as {"N":"1"}', { killSwitch: { N: '1' } }, /killSwitch holds N, not BOOL/],
    ['killSwitch as {"N":"0"}', { killSwitch: { N: '0' } }, /killSwitch holds N, not BOOL/],
    ['killSwitch as NULL', { killSwitch: { NULL: true } }, /killSwitch holds NULL/],
    ['a differently cased name', { KillSwitch: { BOOL: true } }, /KillSwitch is not a known attribute \(did you mean killSwitch\?\)/],
    ['a lower-cased name, value false', { killswitch: { BOOL: false } }, /did you mean killSwitch/],
    ['an unknown BOOL', { paused: { BOOL: false } }, /paused \(BOOL\) is an unknown switch-like attribute/],
    ['an unknown switch-like name', { pauseAutomation: { S: 'please' } }, /pauseAutomation \(S\) is an unknown switch-like attribute/],
    ['an unknown switch-like value', { note: { S: 'on' } }, /note \(S\) is an unknown switch-like attribute/],
    // mode#<runbook> is declared for the five runbooks (issue 16); any other mode attribute is not.
    ['a per-runbook mode nobody declared', { 'mode#no-such-runbook': { S: 'live' } }, /mode#no-such-runbook \(S\)/],
    ['setBy of the wrong type', { setBy: { N: '7' } }, /setBy holds N, not S/],
  ])('%s reads as kill switch ON with the reason', (_name, attrs, reason) => {
    const reading = readControlsItem({ ...key, killSwitch: { BOOL: false }, ...attrs } as never);
    expect(reading.killSwitch).toBe(true);
    expect(reading.anomalies.join('; ')).toMatch(reason);
    const verdict = killSwitchVerdict(reading);
    expect(verdict.pass).toBe(false);
    expect(verdict.reason).toMatch(/^ControlsUnreadable: /);
  });

  it('dry-run of the wrong type reads as dry-run ON and kill switch ON', () => {
    const reading = readControlsItem({ ...key, dryRun: { S: 'false' } });
    expect(reading).toMatchObject({ dryRun: true, killSwitch: true });
  });

  it('plain text under an undeclared, non-switch name is tolerated (a note)', () => {
    expect(readControlsItem({ ...key, comment: { S: 'see ticket OPS-12' } })).toEqual({ killSwitch: false, dryRun: false, anomalies: [] });
  });

  it('one table declares every attribute; the anomaly key is stable whatever the order', () => {
    const modes = RUNBOOKS.flatMap((rb) => [`mode#${rb}`, `mode#${rb}.at`, `mode#${rb}.reason`, `mode#${rb}.setBy`]);
    expect(Object.keys(CONTROL_ATTRIBUTES).sort()).toEqual(['dryRun', 'killSwitch', ...modes, 'pk', 'reason', 'setBy', 'sk', 'updatedAt'].sort());
  });

  it('a declared per-runbook mode of the wrong type is an anomaly (paged) but forces no global switch: that runbook alone reads as shadow (mode-reader)', () => {
    const reading = readControlsItem({ ...key, killSwitch: { BOOL: false }, 'mode#scale-ecs': { BOOL: true } } as never);
    expect(reading).toMatchObject({ killSwitch: false, dryRun: false });
    expect(reading.anomalies).toEqual(['mode#scale-ecs holds BOOL, not S']);
    expect(controlsAnomalyKey(['a', 'b'])).toBe(controlsAnomalyKey(['b', 'a']));
    expect(controlsAnomalyKey(['a'])).not.toBe(controlsAnomalyKey(['b']));
  });
});

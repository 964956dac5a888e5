import { loadSample } from '../events/samples/load';
import { stampTime } from './engine';
import { shiftDates } from './sample-time';

describe('sample events follow the scenario clock', () => {
  const drillStart = Date.parse('2026-01-15T03:00:00Z');

  it('moves the datapoint dates of a metric alarm reason and its reasonData with the state timestamp', () => {
    const event = structuredClone(loadSample('alarm-5xx-alarm'));
    stampTime(event, drillStart);
    const detail = event.detail as { state: Record<string, string>; previousState: Record<string, string> };
    expect(event.time).toBe('2026-01-15T03:00:00Z');
    expect(detail.state.timestamp).toBe('2026-01-15T03:00:00.000+0000');
    // The sample: timestamp 14:04:40.989, datapoint 14:03:00 -> 100.989 s before the state change.
    expect(detail.state.reason).toContain('[212.0 (15/01/26 02:58:19)]');
    expect(detail.state.reasonData).toContain('"queryDate":"2026-01-15T02:59:59.996+0000"');
    expect(detail.state.reasonData).toContain('"startDate":"2026-01-15T02:58:19.011+0000"');
    expect(detail.previousState.timestamp).toBe('2026-01-15T02:55:00.000+0000');
    expect(JSON.stringify(detail)).not.toMatch(/26\/11\/26|2026-11-26/);
  });

  it('moves the date a composite alarm names in words', () => {
    const event = structuredClone(loadSample('alarm-db-down-composite'));
    stampTime(event, drillStart);
    const state = (event.detail as { state: Record<string, string> }).state;
    expect(state.reason).toContain('transitioned to ALARM at Thursday 15 January, 2026 02:59:59 UTC'); // the sample's text drops the .394 s
    expect(state.reasonData).toContain('"timestamp":"2026-01-15T03:00:00.000+0000"');
    expect(JSON.stringify(event)).not.toMatch(/November|2026-11-26/);
  });

  it('keeps the format of each date and leaves other text alone', () => {
    expect(shiftDates('at 2026-11-26T14:04:40Z and (26/11/26 23:59:30), 3.0', 60_000)).toBe('at 2026-11-26T14:05:40Z and (27/11/26 00:00:30), 3.0');
    expect(shiftDates('no dates here 12/34', 60_000)).toBe('no dates here 12/34');
  });
});

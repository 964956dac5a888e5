import { measureBadInput } from './bad-input';

describe('bad input, end to end through every intake', () => {
  it('rejects or ignores every corpus input in every runbook, with no workflow, page or AWS mutation', async () => {
    const figures = await measureBadInput(process.env.DYNAMO_ENDPOINT!);
    const leaks = figures.details.filter((d) => d.status !== 'rejected' && d.status !== 'ignored');
    expect(leaks).toEqual([]);
    expect(figures.deliveries).toBe(figures.inputs * 5);
    expect(figures.inputs).toBeGreaterThanOrEqual(30);
    expect(figures).toMatchObject({ accepted: 0, crashed: 0, workflowsStarted: 0, mutations: 0, pages: 0 });
    // Malformed input is rejected with a reason naming what is wrong, not silently dropped.
    expect(figures.rejected).toBeGreaterThan(figures.inputs * 5 * 0.5);
    expect(figures.details.filter((d) => d.status === 'rejected').every((d) => (d.reason ?? '').length > 10)).toBe(true);
  });
});

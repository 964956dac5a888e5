/**
 * `autopilot preflight --simulated`: the checks and the IAM policy simulation of every
 * function's role against the simulated region (the roles the simulator enforces).
 */
import { preflightCommand } from './preflight';

async function capture(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = jest.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  try {
    return { code: await preflightCommand(args), out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

describe('autopilot preflight', () => {
  it('--simulated: every runbook READY, the IAM policy simulation of every role among the checks', async () => {
    const { code, out } = await capture(['--stage', 'dev', '--simulated', '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(out) as { iamSimulation: string; results: { runbook: string; ready: boolean; checks: { name: string; ok: boolean; reason: string }[] }[] };
    expect(report.iamSimulation).toBe('run');
    expect(report.results).toHaveLength(5);
    for (const r of report.results) expect(r.checks.find((c) => c.name === 'IAM policy simulation')).toEqual({ name: 'IAM policy simulation', ok: true, reason: 'every call the runbook makes is allowed' });
  });

  it('--no-iam leaves the simulation out and says so', async () => {
    const { code, out } = await capture(['--stage', 'dev', '--simulated', '--no-iam']);
    expect(code).toBe(0);
    expect(out).not.toMatch(/^ +(ok|FAIL) +IAM policy simulation/m);
    expect(out).toContain('(IAM policy simulation: not run, --no-iam)');
  });

  it('a standby stage is judged on the runbooks it deploys', async () => {
    const { out } = await capture(['--stage', 'prod-dr', '--simulated', '--json']);
    expect((JSON.parse(out) as { results: { runbook: string }[] }).results.map((r) => r.runbook)).toEqual(['database-failover']);
  });

  it('exits 2 on an unknown flag, with the usage', async () => {
    const { code, err } = await capture(['--stage', 'dev', '--iam-off']);
    expect(code).toBe(2);
    expect(err).toContain('usage: autopilot preflight --stage <stage> [--json] [--simulated] [--no-iam]');
  });
});

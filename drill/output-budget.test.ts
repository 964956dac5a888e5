/**
 * What a person reads: `npm start` over every shipped scenario stays brief (at most
 * OUTPUT_BUDGET lines on stdout, npm's own banner included) and exits 0; `--verbose` adds
 * the AWS calls the brief leaves out.
 *
 * The first test runs the real `npm start` in a child process (its own dynalite, every
 * scenario in drill/scenarios/), exactly what the README tells a newcomer to type.
 */
import { spawn } from 'node:child_process';
import { defaultScenarioFiles, REPO_ROOT } from './load';
import { drillCommand } from '../cli/drill';

const OUTPUT_BUDGET = 400;

function run(cmd: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: REPO_ROOT, env: { ...process.env, FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function capture(args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  try {
    const code = await drillCommand(args);
    return { code, out: lines.join('\n') };
  } finally {
    log.mockRestore();
  }
}

describe('drill output', () => {
  it(`npm start over every shipped scenario exits 0 and prints at most ${OUTPUT_BUDGET} lines on stdout`, async () => {
    const scenarios = defaultScenarioFiles().length;
    const r = await run('npm', ['start']);
    const lines = r.stdout.split('\n').length - (r.stdout.endsWith('\n') ? 1 : 0);
    if (r.code !== 0) {
      const failed = r.stdout.split(/^(?=== )/m).filter((b) => /^-> FAIL/m.test(b)).map((b) => b.split(/\n\s*\n/)[0]);
      throw new Error(`npm start exited ${r.code}:\n${failed.join('\n')}\n${r.stderr.slice(-2000)}`);
    }
    expect(lines).toBeLessThanOrEqual(OUTPUT_BUDGET);
    // Every scenario is there, each with its outcome, and the summary table has its outcome column.
    expect(r.stdout.match(/^== /gm)).toHaveLength(scenarios);
    expect(r.stdout.match(/^-> PASS {2}\S/gm)).toHaveLength(scenarios);
    expect(r.stdout).toMatch(/^scenario +runbooks +result +mutations +pages +time to mitigate +wall ms +outcome$/m);
    expect(r.stdout).toContain(`all ${scenarios} scenario(s) passed`);
    // At most 5 lines a scenario (header with its description, decided, acted, paged, outcome), so more scenarios still fit.
    const blocks = r.stdout.split(/^(?=== )/m).slice(1).map((b) => b.split(/\n\s*\n/)[0] ?? b);
    for (const b of blocks) expect({ block: b.split('\n')[0], lines: b.trimEnd().split('\n').length <= 5 }).toEqual({ block: b.split('\n')[0], lines: true });
    expect(r.stdout).toMatch(/^-> PASS {2}failed over in \d+m\d\ds, \d+ mutations, P1 resolved/m);
    // Brief: no AWS call lines, and no SDK deprecation banner anywhere (Node 22 runs npm scripts).
    expect(r.stdout).not.toMatch(/aws-call/);
    expect(`${r.stdout}\n${r.stderr}`).not.toMatch(/NodeVersionSupportWarning|will require node >=22/);
  }, 900_000);

  it('--verbose adds the AWS calls (collapsing runs of alike lines), the brief has none', async () => {
    const brief = await capture(['alarm-storm-duplicates']);
    const verbose = await capture(['alarm-storm-duplicates', '--verbose']);
    expect([brief.code, verbose.code]).toEqual([0, 0]);
    expect(brief.out).not.toMatch(/aws-call/);
    expect(verbose.out).toMatch(/aws-call +ApplicationAutoScaling\.RegisterScalableTarget \(us-east-1\) \[mutation\]/);
    expect(verbose.out).toMatch(/aws-call +CloudWatch\.DescribeAlarms \(us-east-1\)/);
    // 50 EventBridge duplicates at once, 50 re-deliveries a second apart: runs collapsed, not 1,000+ lines.
    expect(verbose.out).toMatch(/^ +\.\.\. \d+ more (alike|exact duplicates) of the (line|\d+ lines) above \((at|T\+)/m);
    expect(verbose.out.split('\n').length).toBeLessThan(300);
    // The brief's story lines are in the verbose output too.
    for (const line of brief.out.split('\n').filter((l) => /^ {3}(decided|acted|paged) /.test(l))) expect(verbose.out).toContain(line);
  }, 300_000);
});

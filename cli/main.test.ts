import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultScenarioFiles } from '../drill/load';
import { COMMANDS, main } from './main';

interface Run {
  code: number;
  out: string;
  err: string;
}

async function autopilot(...argv: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = jest.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  try {
    const code = await main(argv);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

describe('autopilot (command line)', () => {
  it('--help, -h and help exit 0 and list every command', async () => {
    for (const argv of [['--help'], ['-h'], ['help']]) {
      const r = await autopilot(...argv);
      expect(r.code).toBe(0);
      for (const name of Object.keys(COMMANDS)) expect(r.out).toContain(`  ${name} `);
    }
  });

  it.each(Object.keys(COMMANDS))('%s --help exits 0 with its usage, without running it', async (name) => {
    const load = jest.spyOn(COMMANDS[name] as { load: () => unknown }, 'load');
    for (const argv of [[name, '--help'], [name, '-h'], ['help', name], [name, 'some-arg', '--help']]) {
      const r = await autopilot(...argv);
      expect(r.code).toBe(0);
      expect(r.out).toContain(`usage: autopilot ${name}`);
    }
    expect(load).not.toHaveBeenCalled();
    load.mockRestore();
  });

  it('--version prints the package name and version', async () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { name: string; version: string };
    const r = await autopilot('--version');
    expect(r).toMatchObject({ code: 0, out: `${pkg.name} ${pkg.version}` });
  });

  it('usage errors exit 2 and name what is wrong', async () => {
    expect(await autopilot()).toMatchObject({ code: 2 });
    const unknown = await autopilot('deploy');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('unknown command "deploy"');
    const badFlag = await autopilot('--fast');
    expect(badFlag.code).toBe(2);
    expect(badFlag.err).toContain('unknown option --fast');
    expect(await autopilot('help', 'deploy')).toMatchObject({ code: 2 });

    const cases: [string[], string][] = [
      [['drill', '--fast'], 'unknown option --fast'],
      [['drill', '--json=yes'], 'option --json takes no value'],
      [['drill', 'no-such-scenario'], 'unknown scenario "no-such-scenario"'],
      [['chaos', '--faults'], 'option --faults needs a value'],
      [['chaos', '--verbose'], 'unknown option --verbose'],
      [['route', '--stage'], 'option --stage needs a value'],
      [['route', '--json', 'x.json'], 'unknown option --json'],
      [['route'], 'no event file given'],
      [['bad-input', '--all'], 'unknown option --all'],
    ];
    for (const [argv, message] of cases) {
      const r = await autopilot(...argv);
      expect({ argv, code: r.code }).toEqual({ argv, code: 2 });
      expect(r.err).toContain(message);
    }
  });

  it('drill --list names every shipped scenario with its description, and runs nothing', async () => {
    const r = await autopilot('drill', '--list');
    expect(r.code).toBe(0);
    const names = defaultScenarioFiles().map((f) => f.replace(/^.*\//, '').replace(/\.(json|ya?ml)$/, ''));
    expect(r.out.split('\n')).toHaveLength(names.length);
    for (const name of names) expect(r.out).toMatch(new RegExp(`^${name} +\\S.*: \\S`, 'm'));
  });
});

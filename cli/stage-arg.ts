import type { AutopilotConfig } from '../domain/config';
import { ConfigError, loadConfig } from '../config/load';

/** `--stage X` (or `--stage=X`) for the stage-aware commands; the rest of the arguments untouched. */
export function takeOption(args: string[], name: string): { value?: string; rest: string[]; error?: string } {
  const rest: string[] = [];
  let value: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === `--${name}`) {
      const next = args[i + 1];
      if (next === undefined || next.startsWith('--')) return { rest, error: `--${name} needs a value` };
      value = next;
      i++;
    } else if (a.startsWith(`--${name}=`)) value = a.slice(name.length + 3);
    else rest.push(a);
  }
  return { value, rest };
}

/**
 * `--stage X` plus the allowed flags, then that stage's validated config. A usage or config error
 * is printed (with `usage`) and answered with exit code 2.
 */
export function stageConfigOrUsage(args: string[], flags: readonly string[], usage: string): { stage: string; config: AutopilotConfig; flags: Set<string> } | 2 {
  const stage = takeOption(args, 'stage');
  const unknown = stage.rest.filter((a) => !flags.includes(a));
  if (stage.error || !stage.value || unknown.length > 0) {
    console.error(`${stage.error ?? (unknown.length > 0 ? `unknown argument ${unknown.join(' ')}` : '--stage is required')}\n${usage}`);
    return 2;
  }
  try {
    return { stage: stage.value, config: loadConfig(stage.value), flags: new Set(stage.rest) };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    return 2;
  }
}

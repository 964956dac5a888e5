/**
 * Command-line arguments of every `autopilot` command, parsed by Node's util.parseArgs in
 * strict mode: an unknown option, a missing value or a value given to a flag is a usage
 * error that names the option (exit 2), never silently ignored.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export type Parsed<O extends OptionSpec> = ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>>;

/** The parsed values and positionals, or the usage error's message (naming the option). */
export function parseCommandArgs<O extends OptionSpec>(args: string[], options: O): Parsed<O> | { error: string } {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    const code = (err as { code?: string }).code;
    // Not instanceof Error: under jest the error comes from another realm.
    const message = typeof (err as { message?: unknown }).message === 'string' ? (err as { message: string }).message : String(err);
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) return { error: usageMessage(message) };
    throw err;
  }
}

/** Node's message, shortened to what the operator needs ("unknown option --fast"). */
function usageMessage(message: string): string {
  const unknown = /^Unknown option '([^']+)'/.exec(message);
  if (unknown) return `unknown option ${unknown[1]}`;
  const missing = /^Option '([^']+)' argument missing/.exec(message);
  if (missing) return `option ${(missing[1] ?? '').replace(/^-\w, /, '').replace(/ <value>$/, '')} needs a value`;
  const flag = /^Option '([^']+)' does not take an argument/.exec(message);
  if (flag) return `option ${(flag[1] ?? '').replace(/^-\w, /, '')} takes no value`;
  return message.split('\n')[0] ?? message;
}

export function isUsageError<O extends OptionSpec>(p: Parsed<O> | { error: string }): p is { error: string } {
  return 'error' in p && typeof (p as { error: unknown }).error === 'string';
}

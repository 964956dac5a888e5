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

/**
 * Runs of alike lines, collapsed: an alarm storm's 50 exact duplicates, a workflow polling a
 * promotion every 30 s, a flapping alarm. Generic on purpose: scenarios are added all the
 * time, and the drill's output must stay readable (and within its line budget) whatever
 * they replay. Two lines are alike when their keys are equal; a key normally masks the
 * digits of the text (counters, timestamps, attempt numbers), so "[7/50] ... ignored" and
 * "[8/50] ... ignored" are alike and, when the texts are identical too, exact duplicates.
 */

/** The digits of a text masked: "[7/50] T+00:07" and "[8/50] T+00:08" become alike. */
export function alikeKey(text: string): string {
  return text.replace(/\d+/g, '#');
}

export interface CollapsedRun<T> {
  /** The first occurrence of the repeated block (1 to MAX_BLOCK items). */
  block: T[];
  /** How many more times the block came right after it (0: not a run). */
  more: number;
  /** Every repeat had exactly the same text as the block (not only alike). */
  exact: boolean;
  /** The items of the repeats, in order (for time ranges). */
  repeats: T[];
}

/** A block of up to this many lines may repeat (an event and the intake's answer to it: 2; a re-delivery joining a workflow: 6). */
const MAX_BLOCK = 8;
/** A block must come at least this many times in a row before it is collapsed. */
const MIN_OCCURRENCES = 3;

/**
 * Groups `items` into runs: each run is a block followed by `more` repeats of it. Items that
 * do not repeat are runs of one with more = 0. Order is kept; nothing is dropped.
 */
export function collapseRuns<T>(items: T[], key: (item: T) => string, text: (item: T) => string = key): CollapsedRun<T>[] {
  const keys = items.map(key);
  const out: CollapsedRun<T>[] = [];
  let i = 0;
  while (i < items.length) {
    let best = { size: 1, occurrences: 1 };
    for (let size = 1; size <= MAX_BLOCK && i + size <= items.length; size++) {
      let occurrences = 1;
      while (i + (occurrences + 1) * size <= items.length && sameBlock(keys, i, i + occurrences * size, size)) occurrences++;
      // Prefer the block that covers the most lines; on a tie, the shorter block.
      if (occurrences >= MIN_OCCURRENCES && occurrences * size > best.occurrences * best.size) best = { size, occurrences };
    }
    if (best.occurrences < MIN_OCCURRENCES) {
      out.push({ block: [items[i] as T], more: 0, exact: true, repeats: [] });
      i += 1;
      continue;
    }
    const block = items.slice(i, i + best.size);
    const repeats = items.slice(i + best.size, i + best.occurrences * best.size);
    const exact = repeats.every((r, n) => text(r) === text(block[n % best.size] as T));
    out.push({ block, more: best.occurrences - 1, exact, repeats });
    i += best.occurrences * best.size;
  }
  return out;
}

function sameBlock(keys: string[], a: number, b: number, size: number): boolean {
  for (let k = 0; k < size; k++) if (keys[a + k] !== keys[b + k]) return false;
  return true;
}

/** "... 49 more exact duplicates of the line above" / "... 12 more alike (the 2 lines above)". */
export function describeRun(run: CollapsedRun<unknown>, span?: string): string {
  const what = run.block.length === 1 ? 'the line above' : `the ${run.block.length} lines above`;
  const kind = run.exact ? 'exact duplicates' : 'alike';
  return `... ${run.more} more ${kind} of ${what}${span ? ` (${span})` : ''}`;
}

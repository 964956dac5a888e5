/**
 * Per-runbook mode overrides in the state table (domain/modes.ts): attributes `mode#<runbook>`
 * of the same controls item that holds the kill switch and dry-run (pk = sk = "controls").
 * Read with a consistent read, projected to the one attribute; whatever is not a string of
 * off | shadow | live, or an item that cannot be read, reads as shadow (fail closed) and the
 * reading says why. The kill switch and dry-run attributes are the guardrail store's.
 */
import { GetItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AutopilotConfig, RunbookId } from '../../domain/config';
import { effectiveMode, modeAttribute, type ModeReading, type RunbookMode } from '../../domain/modes';

/** The controls item's key (adapters/dynamo/guardrail-store.ts CONTROLS_KEY). */
const CONTROLS_KEY = { pk: { S: 'controls' }, sk: { S: 'controls' } };

export class DynamoModeReader {
  constructor(
    private readonly client: DynamoDBClient,
    readonly tableName: string,
  ) {}

  async read(runbook: RunbookId, config: Pick<AutopilotConfig, 'modes'>): Promise<ModeReading> {
    const configured = config.modes[runbook];
    let raw: unknown;
    try {
      const out = await this.client.send(
        new GetItemCommand({ TableName: this.tableName, Key: CONTROLS_KEY, ConsistentRead: true, ProjectionExpression: '#m', ExpressionAttributeNames: { '#m': modeAttribute(runbook) } }),
      );
      const attr = out.Item?.[modeAttribute(runbook)];
      // A non-string attribute (a number, a map, a BOOL) is passed as-is: effectiveMode names it unreadable.
      raw = attr === undefined ? undefined : attr.S !== undefined ? attr.S : attr;
    } catch (err) {
      return effectiveMode(runbook, configured, undefined, err instanceof Error ? `${err.name}: ${err.message}` : String(err));
    }
    return effectiveMode(runbook, configured, raw);
  }

  /** Sets (or, with undefined, removes) a runbook's override, with who and why. */
  async set(runbook: RunbookId, mode: RunbookMode | undefined, by: string, reason: string, now: number): Promise<void> {
    const attr = modeAttribute(runbook);
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: CONTROLS_KEY,
        UpdateExpression: mode === undefined ? 'SET #by = :by, #why = :why, #at = :at REMOVE #m' : 'SET #m = :m, #by = :by, #why = :why, #at = :at',
        ExpressionAttributeNames: { '#m': attr, '#by': `${attr}.setBy`, '#why': `${attr}.reason`, '#at': `${attr}.at` },
        ExpressionAttributeValues: { ...(mode === undefined ? {} : { ':m': { S: mode } }), ':by': { S: by.slice(0, 128) }, ':why': { S: reason.slice(0, 512) }, ':at': { N: String(now) } },
      }),
    );
  }
}

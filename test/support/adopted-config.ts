/** What an adopter makes of config/example.json: every placeholder replaced by a made-up value of their own. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_DIR } from '../../config/load';

export const ADOPTED_ACCOUNT = '111122223333';

export function adoptedStageFile(account = ADOPTED_ACCOUNT): Record<string, unknown> {
  const text = readFileSync(join(CONFIG_DIR, 'example.json'), 'utf8')
    .replace(/REPLACE_ACCOUNT_ID/g, account)
    .replace(/"ZREPLACE"/g, '"Z0ACME0000000"')
    .replace(/sg-REPLACE/g, 'sg-0acme0000000001')
    .replace(/replace-or-remove-bucket/g, 'acme-uploads')
    .replace(/REPLACE-or-empty-/g, 'acme-')
    .replace(/REPLACE-or-remove-/g, 'acme-')
    .replace(/REPLACE_[A-Z_]+/g, 'acme0123')
    .replace(/REPLACE/g, 'acme');
  return JSON.parse(text) as Record<string, unknown>;
}

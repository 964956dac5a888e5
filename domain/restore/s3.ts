/**
 * Runbook 5, "S3 Backup Restore": for a prefix and a time T, put every object back to its
 * newest version older than (or at) T, by copying that version over the current one.
 * The plan is computed from the version listing alone, so a dry run and the real run
 * change exactly the same keys.
 */

export interface ObjectVersion {
  key: string;
  versionId: string;
  lastModified: number;
  isLatest: boolean;
  /** A delete marker: the object did not exist from this moment. */
  deleteMarker: boolean;
  /** Same content, same ETag: a copy made by an earlier (crashed) run counts as restored. */
  etag?: string;
}

export type S3RestoreDecision =
  | { key: string; action: 'copy'; fromVersionId: string; versionTime: number; reason: string }
  | { key: string; action: 'unchanged'; reason: string }
  /** Created after T, or absent at T: restoring would mean deleting; left for a human. */
  | { key: string; action: 'skip'; reason: string };

export function planKeyRestore(key: string, versions: ObjectVersion[], restoreTime: number): S3RestoreDecision {
  const sorted = versions.filter((v) => v.key === key).sort((a, b) => b.lastModified - a.lastModified);
  const current = sorted.find((v) => v.isLatest) ?? sorted[0];
  const atT = sorted.find((v) => v.lastModified <= restoreTime);
  if (!atT) return { key, action: 'skip', reason: 'created after the restore time; deleting it is left to a human' };
  if (atT.deleteMarker) return { key, action: 'skip', reason: 'did not exist at the restore time (delete marker); left in place' };
  if (current && current.versionId === atT.versionId) return { key, action: 'unchanged', reason: 'current version is already the one at the restore time' };
  if (current && !current.deleteMarker && current.etag !== undefined && current.etag === atT.etag) {
    return { key, action: 'unchanged', reason: 'current content equals the version at the restore time (same ETag)' };
  }
  return {
    key,
    action: 'copy',
    fromVersionId: atT.versionId,
    versionTime: atT.lastModified,
    reason: current?.deleteMarker ? 'deleted after the restore time: restore the version before the deletion' : 'changed after the restore time',
  };
}

/** Plans every key in a page of versions (a page may hold several keys). */
export function planS3Restore(versions: ObjectVersion[], restoreTime: number): S3RestoreDecision[] {
  const keys = [...new Set(versions.map((v) => v.key))].sort();
  return keys.map((k) => planKeyRestore(k, versions, restoreTime));
}

/**
 * A listing page can end in the middle of one key's versions. Keys wholly inside the
 * page are planned now; the last key's versions carry over to the next page.
 *
 * The last key is the page's NextKeyMarker when S3 gives one, else its greatest key: ListObjectVersions
 * returns versions and delete markers as two lists, so the last entry read is not the last key
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectVersions.html, NextKeyMarker).
 */
export function splitCompleteKeys(versions: ObjectVersion[], truncated: boolean, nextKeyMarker?: string): { complete: ObjectVersion[]; carry: ObjectVersion[] } {
  if (!truncated || versions.length === 0) return { complete: versions, carry: [] };
  const lastKey = nextKeyMarker ?? versions.reduce((max, v) => (v.key > max ? v.key : max), versions[0]!.key);
  return { complete: versions.filter((v) => v.key !== lastKey), carry: versions.filter((v) => v.key === lastKey) };
}

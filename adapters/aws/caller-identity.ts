/**
 * The caller proof on AWS (see domain/caller-proof.ts): the CLI signs an STS
 * GetCallerIdentity request with the operator's own credentials; the operator-request
 * function sends exactly that request to STS and reads the ARN STS answers with.
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
 * (GetCallerIdentity needs no permission: every valid signature gets an answer.)
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, Checksum, SourceData } from '@smithy/types';
import { COMMAND_DIGEST_HEADER, GET_CALLER_IDENTITY_BODY, parseCallerIdentity, stsHost } from '../../domain/caller-proof';
import type { VerifiedPrincipal } from '../../domain/operators';

export const CONTENT_TYPE = 'application/x-www-form-urlencoded; charset=utf-8';

/** Node's crypto as the signer's SHA-256 (an HMAC when given a key). */
export class NodeSha256 implements Checksum {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(this.secret));
  }
  update(data: Uint8Array | string): void {
    this.hash.update(typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

function toBuffer(data: SourceData): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data as ArrayBuffer);
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The signed headers of a GetCallerIdentity request bound to one command digest. */
export async function signCallerProof(credentials: AwsCredentialIdentity, region: string, commandDigest: string, signingDate: Date): Promise<Record<string, string>> {
  const signer = new SignatureV4({ service: 'sts', region, credentials, sha256: NodeSha256 });
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: 'https:',
      hostname: stsHost(region),
      path: '/',
      query: {},
      headers: { host: stsHost(region), 'content-type': CONTENT_TYPE, [COMMAND_DIGEST_HEADER]: commandDigest },
      body: GET_CALLER_IDENTITY_BODY,
    },
    { signingDate },
  );
  return Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
}

export interface CallerIdentityVerifier {
  /** Sends the signed request to STS; the principal STS names, or throws with STS's reason. */
  verify(headers: Record<string, string>, region: string): Promise<VerifiedPrincipal>;
}

/** Production: the proof goes to the regional STS endpoint, exactly as signed. */
export class StsCallerIdentityVerifier implements CallerIdentityVerifier {
  constructor(private readonly fetchImpl: typeof fetch = fetch) {}

  async verify(headers: Record<string, string>, region: string): Promise<VerifiedPrincipal> {
    // The URL is ours, never the caller's: only the signed headers come from the payload.
    const forwarded = Object.fromEntries(Object.entries(headers).filter(([k]) => k !== 'host'));
    const response = await this.fetchImpl(`https://${stsHost(region)}/`, { method: 'POST', headers: forwarded, body: GET_CALLER_IDENTITY_BODY, signal: AbortSignal.timeout(5000) });
    const text = (await response.text()).slice(0, 8192);
    if (!response.ok) {
      const code = /<Code>([^<]{1,100})<\/Code>/.exec(text)?.[1] ?? `HTTP ${response.status}`;
      throw new Error(`STS refused the caller proof: ${code}`);
    }
    const identity = parseCallerIdentity(text);
    if (!identity) throw new Error('STS answered without an Arn and Account');
    return identity;
  }
}

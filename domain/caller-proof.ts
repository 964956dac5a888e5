/**
 * How the operator-request function knows who is calling.
 *
 * A direct Lambda Invoke carries no caller identity in the event, and anything the caller
 * writes into the payload (a `requestedBy`, even a copy of a function-URL requestContext)
 * is a claim. So the caller proves who it is the way Vault's and Kubernetes' AWS IAM
 * authenticators do: it signs an STS GetCallerIdentity request with its own credentials
 * (SigV4) and sends the signed headers along; the function sends that request to STS itself
 * and STS answers with the caller's ARN. Nobody can produce the signature without the
 * caller's secret key.
 *
 * The signature is bound to this one command: the signed headers include
 * `x-autopilot-command-sha256`, the SHA-256 of the command, so a proof captured for one
 * request cannot be replayed with another. A proof is also accepted once only (a claim in
 * the state table) and only within PROOF_MAX_AGE_SECONDS of its X-Amz-Date.
 *
 * This file holds the checks that need no network: shape, binding and freshness. Pure.
 */
import { TUNABLES } from './config';

export const COMMAND_DIGEST_HEADER = 'x-autopilot-command-sha256';
/** The body of every proof: exactly GetCallerIdentity, nothing the caller chooses. */
export const GET_CALLER_IDENTITY_BODY = 'Action=GetCallerIdentity&Version=2011-06-15';
/** Stricter than STS's own 15 minutes: an approval is typed seconds before it is sent. */
export const PROOF_MAX_AGE_SECONDS = TUNABLES.operatorProofMaxAgeSeconds;
/** Headers a proof may carry (lower case); any other header is refused rather than forwarded. */
const ALLOWED_HEADERS = new Set(['authorization', 'x-amz-date', 'x-amz-security-token', 'host', 'content-type', COMMAND_DIGEST_HEADER, 'x-amz-content-sha256']);
const REQUIRED_SIGNED = ['host', 'x-amz-date', COMMAND_DIGEST_HEADER];

export interface CallerProof {
  /** The signed request's headers, as the SDK signer produced them. */
  headers: Record<string, string>;
}

export type ProofCheck = { ok: true; headers: Record<string, string>; signature: string; region: string } | { ok: false; reason: string };

export function stsHost(region: string): string {
  return `sts.${region}.amazonaws.com`;
}

/** X-Amz-Date (20260115T030000Z) as epoch ms, or undefined. */
export function amzDateMs(value: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m;
  return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
}

/**
 * Shape, binding to `commandDigest` (hex SHA-256 of the command), the STS host of `region`,
 * and freshness against `now`. What STS decides (the signature, the credentials) is not here.
 */
export function checkProof(proof: unknown, commandDigest: string, region: string, now: number): ProofCheck {
  if (typeof proof !== 'object' || proof === null || typeof (proof as CallerProof).headers !== 'object' || (proof as CallerProof).headers === null) {
    return { ok: false, reason: 'proof.headers: missing (sign an STS GetCallerIdentity request: use `autopilot request` / `autopilot approve`)' };
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries((proof as CallerProof).headers)) {
    const key = name.toLowerCase();
    if (typeof value !== 'string' || value.length > 4096) return { ok: false, reason: `proof.headers.${key}: not a bounded string` };
    if (!ALLOWED_HEADERS.has(key)) return { ok: false, reason: `proof.headers.${key}: not a header of a GetCallerIdentity proof` };
    headers[key] = value;
  }
  const auth = headers.authorization ?? '';
  const m = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([a-z0-9-]+)\/sts\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) return { ok: false, reason: 'proof.headers.authorization: not a SigV4 signature for sts' };
  const [, , , signedRegion, signedHeaders, signature] = m as unknown as [string, string, string, string, string, string];
  if (signedRegion !== region) return { ok: false, reason: `proof is signed for ${signedRegion}, expected ${region}` };
  const signed = signedHeaders.split(';');
  const unsigned = REQUIRED_SIGNED.filter((h) => !signed.includes(h));
  if (unsigned.length > 0) return { ok: false, reason: `proof does not sign ${unsigned.join(', ')}` };
  if (headers.host !== stsHost(region)) return { ok: false, reason: `proof.headers.host: ${headers.host ?? '(none)'} is not ${stsHost(region)}` };
  if (headers[COMMAND_DIGEST_HEADER] !== commandDigest) {
    return { ok: false, reason: `proof is bound to another command (${COMMAND_DIGEST_HEADER} does not match this one)` };
  }
  const at = amzDateMs(headers['x-amz-date'] ?? '');
  if (at === undefined) return { ok: false, reason: 'proof.headers.x-amz-date: not a SigV4 date' };
  if (Math.abs(now - at) > PROOF_MAX_AGE_SECONDS * 1000) {
    return { ok: false, reason: `proof signed at ${new Date(at).toISOString()} is more than ${PROOF_MAX_AGE_SECONDS}s from now: sign again` };
  }
  return { ok: true, headers, signature, region };
}

/** GetCallerIdentity's XML answer: the ARN and account, or undefined when either is missing. */
export function parseCallerIdentity(xml: string): { arn: string; account: string } | undefined {
  const arn = /<Arn>([^<]{1,2048})<\/Arn>/.exec(xml)?.[1];
  const account = /<Account>(\d{12})<\/Account>/.exec(xml)?.[1];
  return arn && account ? { arn, account } : undefined;
}

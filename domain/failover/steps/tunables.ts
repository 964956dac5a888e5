/**
 * The fixed polls and bounds runbook 1's steps run by (aliases of TUNABLES.failover,
 * domain/config.ts). workflow.ts re-exports them.
 */
import { TUNABLES } from '../../config';

/** Poll interval of the durable waits (promotion, service rollout, DNS, health). */
export const POLL_SECONDS = TUNABLES.failover.pollSeconds;
/** Poll interval for the end of a promotion once the secondary runs alongside it. */
export const PROMOTION_END_POLL_SECONDS = TUNABLES.failover.promotionEndPollSeconds;
/** The status RDS passes through once a promotion is committed ("RDS reboots the DB instance before making it available"). */
export const PROMOTION_REBOOT_STATUS = 'rebooting';
/** GetChange poll interval (Route53 changes are INSYNC within ~60 s). */
export const DNS_POLL_SECONDS = TUNABLES.failover.dnsPollSeconds;
/** Route53 changes are INSYNC within ~60 s; give up after this. */
export const DNS_SYNC_TIMEOUT_SECONDS = TUNABLES.failover.dnsSyncTimeoutSeconds;
/** Health checks after DNS: the record's TTL and client caches need a moment. */
export const HEALTH_CHECKS = TUNABLES.failover.healthChecks;
/** Mutations of a complete failover (pause, promote, register, update service, DNS): the budget must hold them all. */
export const PLANNED_MUTATIONS = 5;

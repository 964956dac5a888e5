// Registers the SDK client class; import this module where the client is used (keeps bundles small).
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { registerClient } from '../clients';

registerClient('elbv2', ElasticLoadBalancingV2Client);

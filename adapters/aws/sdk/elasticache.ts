// Registers the SDK client class; import this module where the client is used (keeps bundles small).
import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { registerClient } from '../clients';

registerClient('elasticache', ElastiCacheClient);

// Registers the SDK client class; import this module where the client is used (keeps bundles small).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { registerClient } from '../clients';

registerClient('dynamodb', DynamoDBClient);

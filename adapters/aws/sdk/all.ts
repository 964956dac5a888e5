// Every client: for the drill, tests and tools that run all runbooks in one process.
import './appAutoScaling';
import './cloudwatch';
import './codedeploy';
import './dynamodb';
import './ecs';
import './elasticache';
import './elbv2';
import './eventbridge';
import './iam';
import './lambda';
import './logs';
import './rds';
import './route53';
import './s3';
import './secretsManager';
import './sns';
import './ssm';

/**
 * The few CloudFormation shapes infra/ builds: resources, intrinsic functions and IAM
 * statements. Plain data, no SDK: the template is JSON the plugin hands back to serverless.
 */

export type CfnValue = string | number | boolean | null | CfnValue[] | { [key: string]: CfnValue };

export interface CfnResource {
  Type: string;
  Properties?: { [key: string]: CfnValue };
  DependsOn?: string | string[];
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  Condition?: string;
}

export interface CfnTemplate {
  AWSTemplateFormatVersion?: string;
  Description?: string;
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, { Description?: string; Value: CfnValue; Export?: { Name: CfnValue } }>;
}

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: CfnValue[];
  Condition?: { [operator: string]: { [key: string]: CfnValue } };
}

export const ref = (logicalId: string): CfnValue => ({ Ref: logicalId });
export const getAtt = (logicalId: string, attribute: string): CfnValue => ({ 'Fn::GetAtt': [logicalId, attribute] });
/** Fn::Sub: `${AWS::AccountId}`, `${AWS::Partition}`, `${LogicalId}` are substituted by CloudFormation. */
export const sub = (template: string): CfnValue => ({ 'Fn::Sub': template });

/** A literal that goes into Fn::Sub unchanged: `${` must be written `${!`. */
export const escapeSub = (literal: string): string => literal.replace(/\$\{/g, '${!');

export function pascal(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part.length > 0)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}

/**
 * Temporal's time-skipping test server (Java) for workflow tests, with our search
 * attributes registered: the test server starts with only the built-in ones, and a workflow
 * that upserts an unknown attribute fails its task.
 */
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { testServerPath } from './env';

const { IndexedValueType } = temporal.api.enums.v1;

const ATTRIBUTES: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  Province: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  MemberNo: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  ApplicationNo: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  Stage: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  CampaignYear: IndexedValueType.INDEXED_VALUE_TYPE_INT,
};

export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: testServerPath() } },
  });
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: ATTRIBUTES,
  });
  return env;
}

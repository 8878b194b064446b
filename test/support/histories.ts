/**
 * Recorded workflow histories for replay tests (DESIGN.md, Testing): written once by a
 * recorder script with the Temporal CLI, read back here and replayed against current code.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as proto from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';

export const HISTORIES_DIR = path.join(__dirname, '..', 'fixtures', 'histories');

/**
 * The SDK's historyFromJSON (@temporalio/common) fails here with "type must be a Type": @temporalio/common and
 * @temporalio/proto each got their own copy of protobufjs 8 in node_modules (the top level holds protobufjs 7 for
 * another package), and protojson refuses a type from the other copy. So the JSON (proto3 JSON as written by
 * `temporal workflow show --output json`) is decoded with the protojson of the copy @temporalio/proto uses.
 */
const protoRequire = createRequire(require.resolve('@temporalio/proto'));
const { fromJson } = protoRequire('protobufjs/ext/protojson') as {
  fromJson: (
    type: unknown,
    json: unknown,
    options?: { ignoreUnknownFields?: boolean },
  ) => proto.temporal.api.history.v1.IHistory;
};
const historyType = (patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown }).lookupType(
  'temporal.api.history.v1.History',
);

export function historyFromJSON(json: unknown): proto.temporal.api.history.v1.IHistory {
  return fromJson(historyType, json, { ignoreUnknownFields: true });
}

/** Every recorded history whose file name starts with `prefix`. */
export function loadHistories(prefix: string) {
  return readdirSync(HISTORIES_DIR)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.json'))
    .sort()
    .map((file) => ({
      file,
      workflowId: file.replace(/\.json$/, ''),
      history: historyFromJSON(JSON.parse(readFileSync(path.join(HISTORIES_DIR, file), 'utf8'))),
    }));
}

/** A workflow's history as proto3 JSON, through the Temporal CLI (the SDK's own conversion trips as above). */
export function showHistory(
  cli: string,
  address: string,
  namespace: string,
  workflowId: string,
  runId?: string,
): string {
  const json = execFileSync(
    cli,
    [
      'workflow',
      'show',
      '--workflow-id',
      workflowId,
      '--address',
      address,
      '--namespace',
      namespace,
      '--output',
      'json',
      // One run of a workflow that continued as new (default: the latest run).
      ...(runId ? ['--run-id', runId] : []),
    ],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  return `${JSON.stringify(JSON.parse(json), null, 2)}\n`;
}

/**
 * Replays histories against the workflow bundle production runs; returns each history's
 * replay error (undefined when it replayed cleanly).
 */
export async function replayAll(
  bundlePath: string,
  histories: ReturnType<typeof loadHistories>,
): Promise<Array<{ workflowId: string; error: string | undefined }>> {
  const results = [];
  for await (const result of Worker.runReplayHistories(
    { workflowBundle: { codePath: bundlePath } },
    histories.map(({ workflowId, history }) => ({ workflowId, history })),
  )) {
    results.push({ workflowId: result.workflowId, error: result.error?.message });
  }
  return results;
}

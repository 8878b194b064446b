import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Client } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import path from 'node:path';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { bindActivities, connectionOptions, TASK_QUEUES, workflowIds, type TaskQueueName } from '@app/temporal';
import { buildWorkflowBundle } from '@app/temporal/bundle';
import { BrowserPool } from '@app/pdf';
import { ModuleRef } from '@nestjs/core';
import { deliversAnything } from '@app/activities/notifications/transports';
import type { outboxDispatch } from '@app/workflows/notifications/outbox-dispatch.workflow';
import { REGISTRY_ACTIVITY_CLASSES, RENDER_ACTIVITY_CLASSES } from './activity-classes';

/**
 * Creates one Temporal worker per configured task queue (both in one process by default;
 * WORKER_TASK_QUEUES=render on extra machines scales rendering out) and runs them until the
 * application context closes.
 */
@Injectable()
export class WorkerHost implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WorkerHost.name);
  private connection?: NativeConnection;
  private workers: Worker[] = [];
  private running?: Promise<unknown>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly moduleRef: ModuleRef,
  ) {}

  private activitiesOf(classes: readonly (new (...args: never[]) => object)[]) {
    return bindActivities(...classes.map((cls) => this.moduleRef.get(cls, { strict: false })));
  }

  async onApplicationBootstrap(): Promise<void> {
    this.connection = await NativeConnection.connect(connectionOptions(this.config));
    const queues = this.config.temporal.workerQueues as TaskQueueName[];
    this.workers = await Promise.all(queues.map(async (queue) => Worker.create(await this.optionsFor(queue))));
    this.running = Promise.all(this.workers.map((w) => w.run())).catch((error: unknown) => {
      // A worker that dies must take the process down so the supervisor restarts it.
      this.logger.error(`worker stopped: ${String(error)}`);
      process.exitCode = 1;
      process.kill(process.pid, 'SIGTERM');
    });
    this.logger.log(`polling task queues ${queues.join(', ')} on ${this.config.temporal.address}`);
    if (queues.includes(TASK_QUEUES.registry)) await this.startOutboxDispatch();
  }

  /**
   * R14: with a mail or SMS transport configured, makes sure the one `outbox-dispatch` workflow runs. Every
   * registry worker does this at boot; USE_EXISTING makes the second and later starts a no-op (a running dispatcher
   * keeps the poll interval it was started with). With both transports `outbox` (development, tests) nothing is
   * started: the rows stay pending in the table, which is then the mailbox.
   */
  private async startOutboxDispatch(): Promise<void> {
    if (!deliversAnything(this.config)) return;
    // NativeConnection serves the client as well as the workers: no second connection to the cluster.
    const client = new Client({ connection: this.connection!, namespace: this.config.temporal.namespace });
    const handle = await client.workflow.start<typeof outboxDispatch>('outboxDispatch', {
      workflowId: workflowIds.outboxDispatch(),
      taskQueue: TASK_QUEUES.registry,
      args: [{ pollIntervalSeconds: this.config.notifications.pollIntervalSeconds }],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    this.logger.log(`outbox dispatcher ${handle.workflowId} running (run ${handle.firstExecutionRunId})`);
  }

  /** Resolves once every worker has finished its in-flight tasks and stopped. */
  async onApplicationShutdown(): Promise<void> {
    for (const worker of this.workers) if (worker.getState() === 'RUNNING') worker.shutdown();
    await this.running;
    await this.connection?.close();
  }

  private async optionsFor(queue: TaskQueueName): Promise<WorkerOptions> {
    const common = { connection: this.connection!, namespace: this.config.temporal.namespace, taskQueue: queue };
    if (queue === TASK_QUEUES.render) {
      // Chromium starts here, before the worker polls, so the first certificate does not wait for it.
      await this.moduleRef.get(BrowserPool, { strict: false }).warm();
      return {
        ...common,
        activities: this.activitiesOf(RENDER_ACTIVITY_CLASSES),
        // Enough tasks at once for the renderer to print them in groups (a Chromium page each group); more would
        // only wait inside the renderer.
        maxConcurrentActivityTaskExecutions: this.config.render.poolSize * this.config.render.maxGroup,
      };
    }
    const bundlePath = this.config.temporal.workflowBundlePath;
    return {
      ...common,
      activities: this.activitiesOf(REGISTRY_ACTIVITY_CLASSES),
      // Production and tests load the prebuilt bundle; without one, bundle from source now.
      workflowBundle: bundlePath ? { codePath: path.resolve(bundlePath) } : await buildWorkflowBundle(),
    };
  }
}

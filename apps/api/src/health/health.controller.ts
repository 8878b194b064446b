import { Controller, Get, Injectable } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Client } from '@temporalio/client';
import { Public } from '../common/decorators';

/** Temporal is healthy when its frontend answers GetSystemInfo within two seconds. */
@Injectable()
export class TemporalHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly client: Client,
  ) {}

  async pingCheck(key: string) {
    const indicator = this.indicators.check(key);
    try {
      await this.client.connection.withDeadline(Date.now() + 2000, () => this.client.workflowService.getSystemInfo({}));
      return indicator.up({ namespace: this.client.options.namespace });
    } catch (error) {
      return indicator.down({ message: error instanceof Error ? error.message : String(error) });
    }
  }
}

@ApiTags('health 运行状态')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly temporal: TemporalHealthIndicator,
  ) {}

  @Public()
  @Get()
  @HealthCheck()
  @ApiOperation({ summary: 'PostgreSQL 与 Temporal 连通性检查（任一不可用时返回 503）' })
  check() {
    return this.health.check([
      () => this.database.pingCheck('database', { timeout: 2000 }),
      () => this.temporal.pingCheck('temporal'),
    ]);
  }
}

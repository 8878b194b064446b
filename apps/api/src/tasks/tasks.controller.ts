import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, StaffOnly } from '../common/decorators';
import type { StaffPrincipal } from '../common/principal';
import { DecideTaskDto, ListTasksQuery, NextTaskDto } from './dto/tasks.dto';
import { TasksService } from './tasks.service';

@ApiTags('tasks 工作队列')
@StaffOnly()
@Controller('api/tasks')
export class TasksController {
  constructor(private readonly tasks: TasksService) {}

  @Get()
  @ApiOperation({ summary: '工作队列：本人角色和本省的任务（可按类型、状态、等待时长筛选，分页）' })
  list(@CurrentPrincipal() staff: StaffPrincipal, @Query() query: ListTasksQuery) {
    return this.tasks.list(staff, query);
  }

  @Post('next')
  @HttpCode(200)
  @ApiOperation({ summary: '认领队列中最早的待办任务（并发时两人不会拿到同一任务）' })
  next(@CurrentPrincipal() staff: StaffPrincipal, @Body() dto: NextTaskDto) {
    return this.tasks.next(staff, dto.type);
  }

  @Get(':id')
  @ApiOperation({ summary: '任务详情' })
  get(@CurrentPrincipal() staff: StaffPrincipal, @Param('id') id: string) {
    return this.tasks.get(staff, id);
  }

  @Post(':id/claim')
  @HttpCode(200)
  @ApiOperation({ summary: '认领任务' })
  claim(@CurrentPrincipal() staff: StaffPrincipal, @Param('id') id: string) {
    return this.tasks.claim(staff, id);
  }

  @Post(':id/release')
  @HttpCode(200)
  @ApiOperation({ summary: '退回认领（任务回到队列）' })
  release(@CurrentPrincipal() staff: StaffPrincipal, @Param('id') id: string) {
    return this.tasks.release(staff, id);
  }

  @Post(':id/decision')
  @HttpCode(200)
  @ApiOperation({ summary: '作出审核结论：通过、不予通过（须填原因）或退回修改（须填原因）' })
  decide(@CurrentPrincipal() staff: StaffPrincipal, @Param('id') id: string, @Body() dto: DecideTaskDto) {
    return this.tasks.decide(staff, id, dto.outcome, dto.reason);
  }
}

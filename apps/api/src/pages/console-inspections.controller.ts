import { Body, Controller, Get, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
// Brings reply.view() into the FastifyReply type.
import type {} from '@fastify/view';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, StaffOnly } from '../common/decorators';
import { validateFields } from '../common/multipart';
import type { StaffPrincipal } from '../common/principal';
import { RecordInspectionDto } from '../inspections/dto/record-inspection.dto';
import { readInspectionUpload } from '../inspections/inspection-upload';
import { INSPECTION_WRITERS } from '../inspections/inspections.controller';
import { FIRST_INSPECTION_YEAR, InspectionsService, RESULT_LABELS } from '../inspections/inspections.service';
import { COLUMN_LABELS, type InspectionColumn } from '../inspections/inspection-file';
import { beijingTime, fieldMessages, pageError, sendStaffPage } from './page-helpers';

type Form = Record<string, string | undefined>;

/** The preview lists at most this many problems; the count says how many more there are. */
const MAX_PROBLEMS_SHOWN = 500;

/**
 * Annual inspection results in the console (R13): upload a file, see the dry run (every problem, what would change),
 * confirm; or record one member's result. The confirm step needs the same file again (checked by its SHA-256): the
 * server keeps no uploaded file between requests, so what is written is exactly what was previewed.
 */
@ApiExcludeController()
@StaffOnly(...INSPECTION_WRITERS)
@Controller('console/inspections')
export class ConsoleInspectionsController {
  constructor(private readonly inspections: InspectionsService) {}

  @Get()
  async page(@CurrentPrincipal() staff: StaffPrincipal, @Query() query: Form, @Res() reply: FastifyReply) {
    const certificateNo = /^\d{12}$/.test(query.certificateNo ?? '') ? query.certificateNo! : undefined;
    return this.render(reply, staff, 200, { record: certificateNo ? { certificateNo } : {}, certificateNo });
  }

  @Post('upload')
  async upload(@CurrentPrincipal() staff: StaffPrincipal, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    let upload: Awaited<ReturnType<typeof readInspectionUpload>>;
    try {
      upload = await readInspectionUpload(request);
    } catch (error) {
      const problem = pageError(error);
      return this.render(reply, staff, problem.status, { uploadError: problem.message });
    }
    const { fileName, data, fields } = upload;
    if (fields.mode !== 'confirm') {
      const report = await this.inspections.dryRun(staff, fileName, data);
      return this.render(reply, staff, 200, { preview: this.reportView(report) });
    }
    const report = await this.inspections.dryRun(staff, fileName, data);
    if (fields.sha256 && fields.sha256 !== report.sha256) {
      return this.render(reply, staff, 409, {
        preview: this.reportView(report),
        uploadError: '所选文件与预检的文件不同，请核对下面的预检结果后再确认导入。',
      });
    }
    try {
      const result = await this.inspections.upload(staff, fileName, data);
      return this.render(reply, staff, 200, { uploaded: this.reportView(result) });
    } catch (error) {
      const problem = pageError(error);
      return this.render(reply, staff, problem.status, {
        preview: this.reportView(report),
        uploadError: problem.message,
      });
    }
  }

  @Post('record')
  async record(@CurrentPrincipal() staff: StaffPrincipal, @Body() form: Form, @Res() reply: FastifyReply) {
    const given = Object.fromEntries(Object.entries(form).filter(([, v]) => v !== '' && v !== undefined));
    const { value, problems } = await validateFields(RecordInspectionDto, given);
    if (problems.length) {
      return this.render(reply, staff, 400, { record: form, recordFields: fieldMessages(problems) });
    }
    try {
      const saved = await this.inspections.record(staff, {
        certificateNo: value.certificateNo,
        year: value.year,
        result: value.result,
        passedOn: value.passedOn ?? null,
        remark: value.remark ?? null,
      });
      const what = saved.insert ? '已登记' : saved.update ? '已更新' : '与已有记录相同，未作修改';
      return this.render(reply, staff, 200, {
        record: { certificateNo: saved.certificateNo },
        certificateNo: saved.certificateNo,
        recordNotice: `会员 ${saved.certificateNo} ${saved.year} 年度年检结果${what}。`,
      });
    } catch (error) {
      const problem = pageError(error);
      return this.render(reply, staff, problem.status, {
        record: form,
        recordError: problem.message,
        recordFields: problem.fields,
      });
    }
  }

  private async render(reply: FastifyReply, staff: StaffPrincipal, status: number, view: Record<string, unknown>) {
    const certificateNo = view.certificateNo as string | undefined;
    let history: unknown;
    let historyError: string | undefined;
    if (certificateNo) {
      try {
        const found = await this.inspections.history(staff, certificateNo);
        history = {
          ...found,
          items: found.items.map((i) => ({ ...i, recordedAtLabel: beijingTime(i.recordedAt) })),
        };
      } catch (error) {
        historyError = pageError(error).message;
      }
    }
    const record = (view.record ?? {}) as Form;
    return sendStaffPage(reply, staff, status, 'console/inspections.hbs', {
      title: '年检结果',
      firstYear: FIRST_INSPECTION_YEAR,
      results: Object.entries(RESULT_LABELS).map(([value, label]) => ({
        value,
        label,
        selected: value === record.result,
      })),
      history,
      historyError,
      ...view,
    });
  }

  private reportView(report: Awaited<ReturnType<InspectionsService['dryRun']>>) {
    return {
      ...report,
      ok: report.problems.length === 0,
      problemCount: report.problems.length,
      problems: report.problems.slice(0, MAX_PROBLEMS_SHOWN).map((p) => ({
        ...p,
        rowLabel: p.row ? `第 ${p.row} 行` : '文件',
        fieldLabel: COLUMN_LABELS[p.field as InspectionColumn] ?? '',
      })),
      more: Math.max(0, report.problems.length - MAX_PROBLEMS_SHOWN),
    };
  }
}

import { Body, Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
// Brings reply.view() into the FastifyReply type.
import type {} from '@fastify/view';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { beijingYear } from '@app/domain/beijing-date';
import { PROVINCES } from '@app/domain/provinces';
import { REVIEW_OUTCOME_LABELS } from '@app/domain/review';
import { ApplicationsService, type ProgressView } from '../applications/applications.service';
import { ApplicantLookupDto, ATTACHMENT_KINDS, type AttachmentKind } from '../applications/dto/application.dto';
import { Public } from '../common/decorators';
import { readMultipart, validateFields, type UploadedFile } from '../common/multipart';
import { beijingTime, fieldMessages, pageError, type PageError } from './page-helpers';

type Form = Record<string, string | undefined>;

/** Inputs that show their own message; any other field's message goes to the top of the form. */
const FORM_FIELDS = [
  'name',
  'idNumber',
  'mobile',
  'email',
  'address',
  'provinceCode',
  'admissionRoute',
  'examPassYear',
  'examPassCertNo',
  'education',
  'employer',
  ...Object.keys(ATTACHMENT_KINDS),
];

const FIX_AND_RETRY = '提交的信息有误，请按各项下方的提示修改后重新提交。';

/** The lookup form serves the progress query and the way into a correction. */
const LOOKUP = {
  progress: { title: '非执业申请进度查询', action: '/progress', button: '查询' },
  correct: { title: '修改被退回的申请', action: '/progress/correct', button: '下一步' },
} as const;

interface CorrectionContext {
  applicationNo: string;
  idNumber: string;
  instituteName: string;
  reason: string | null;
  attachmentKinds: string[];
}

/**
 * The applicant's pages (R3, R5, R6): the non-practising member application (非执业会员申请),
 * the progress query (非执业申请进度查询) and the correction of a returned application. All
 * public: the applicant has no account until approved, and proves who they are with the
 * application number plus ID number, exactly as the JSON API does.
 */
@ApiExcludeController()
@Public()
@Controller()
export class ApplicantPagesController {
  constructor(private readonly applications: ApplicationsService) {}

  @Get('apply')
  applyPage(@Res() reply: FastifyReply) {
    return reply.view('apply/form.hbs', this.formView({}));
  }

  @Post('apply')
  // A page, not a created resource: Nest would answer a POST with 201.
  @HttpCode(200)
  async apply(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    let fields: Record<string, string> = {};
    let files: UploadedFile[] = [];
    try {
      ({ fields, files } = await readMultipart(request));
      const { applicationNo } = await this.applications.submit(fields, files);
      return reply.view('apply/submitted.hbs', { title: '申请已提交', applicationNo });
    } catch (error) {
      const problem = pageError(error);
      if (problem.status !== 400 && problem.status !== 409) throw error;
      return reply.code(problem.status).view('apply/form.hbs', this.formView(fields, problem, files));
    }
  }

  @Get('progress')
  progressPage(@Res() reply: FastifyReply) {
    return reply.view('apply/lookup.hbs', this.lookupView('progress', {}));
  }

  @Post('progress')
  @HttpCode(200)
  async progress(@Body() form: Form, @Res() reply: FastifyReply) {
    const { value, problems } = await validateFields(ApplicantLookupDto, form);
    if (problems.length) {
      return reply.code(400).view('apply/lookup.hbs', this.lookupView('progress', form, fieldMessages(problems)));
    }
    try {
      return this.renderProgress(reply, await this.applications.progress(value), value.idNumber);
    } catch (error) {
      const problem = pageError(error);
      return reply
        .code(problem.status)
        .view('apply/lookup.hbs', this.lookupView('progress', form, {}, problem.message));
    }
  }

  /** Reached from a bookmark or typed in: asks for the two values first (never carried in a URL). */
  @Get('progress/correct')
  correctLookupPage(@Res() reply: FastifyReply) {
    return reply.view('apply/lookup.hbs', this.lookupView('correct', {}));
  }

  /** The correction form, prefilled; the progress page posts the two values as hidden fields. */
  @Post('progress/correct')
  @HttpCode(200)
  async correctPage(@Body() form: Form, @Res() reply: FastifyReply) {
    const { value, problems } = await validateFields(ApplicantLookupDto, form);
    if (problems.length) {
      return reply.code(400).view('apply/lookup.hbs', this.lookupView('correct', form, fieldMessages(problems)));
    }
    try {
      const current = await this.applications.correctionDetails(value);
      const values = Object.fromEntries(
        Object.entries(current).map(([k, v]) => [k, v === null || v === undefined ? '' : String(v)]),
      );
      return reply
        .header('cache-control', 'no-store')
        .view('apply/form.hbs', this.formView(values, undefined, [], current));
    } catch (error) {
      const problem = pageError(error);
      return reply.code(problem.status).view('apply/lookup.hbs', this.lookupView('correct', form, {}, problem.message));
    }
  }

  @Post('apply/:applicationNo/resubmit')
  @HttpCode(200)
  async resubmit(
    @Param('applicationNo') applicationNo: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    let fields: Record<string, string> = {};
    let files: UploadedFile[] = [];
    try {
      ({ fields, files } = await readMultipart(request));
      const view = await this.applications.resubmit(applicationNo, fields, files);
      return this.renderProgress(
        reply,
        view,
        fields.idNumber.toUpperCase(),
        '修改后的申请已重新提交，将重新进入初核。',
      );
    } catch (error) {
      const problem = pageError(error);
      const lookup = { applicationNo, idNumber: fields.idNumber };
      if (problem.status !== 400) {
        return reply
          .code(problem.status)
          .view('apply/lookup.hbs', this.lookupView('progress', lookup, {}, problem.message));
      }
      try {
        // The page around the form (number, institute, reason) comes from the stored application.
        const current = await this.applications.correctionDetails({
          applicationNo: applicationNo.toUpperCase(),
          idNumber: (fields.idNumber ?? '').toUpperCase(),
        });
        return reply
          .code(400)
          .header('cache-control', 'no-store')
          .view('apply/form.hbs', this.formView(fields, problem, files, current));
      } catch (lookupError) {
        const notFound = pageError(lookupError);
        return reply
          .code(notFound.status)
          .view('apply/lookup.hbs', this.lookupView('progress', lookup, {}, notFound.message));
      }
    }
  }

  private renderProgress(reply: FastifyReply, view: ProgressView, idNumber: string, ok?: string) {
    const outcomeClass = (outcome: string | null) =>
      outcome === REVIEW_OUTCOME_LABELS.approve ? 'ok' : outcome === REVIEW_OUTCOME_LABELS.return ? 'warn' : 'bad';
    // The page may carry the initial password: never cached by the browser or a proxy.
    return reply.header('cache-control', 'no-store').view('apply/progress.hbs', {
      title: '申请进度',
      ok,
      view,
      idNumber,
      approved: view.status === 'approved',
      returned: view.status === 'returned',
      steps: view.steps.map((s) => ({
        ...s,
        at: beijingTime(s.at),
        outcomeClass: s.outcome ? outcomeClass(s.outcome) : null,
        highlight: !!s.reason && s.outcome !== REVIEW_OUTCOME_LABELS.approve,
      })),
    });
  }

  private lookupView(kind: keyof typeof LOOKUP, values: Form, errors: Record<string, string> = {}, error?: string) {
    return { ...LOOKUP[kind], values, errors, error, correcting: kind === 'correct' };
  }

  /**
   * The application form, new or (with `correction`) for a returned application. Files cannot
   * be put back into a file input, so after an error the applicant is told to choose them again.
   */
  private formView(
    values: Record<string, string>,
    problem?: PageError,
    files: UploadedFile[] = [],
    correction?: CorrectionContext,
  ) {
    const errors = problem?.fields ?? {};
    const general = Object.entries(errors)
      .filter(([field]) => !FORM_FIELDS.includes(field))
      .map(([, message]) => message);
    const route = values.admissionRoute === 'assessment' ? 'assessment' : 'exam';
    return {
      title: correction ? '修改入会申请' : '非执业会员申请',
      values,
      errors,
      // `education` names both the text field and the file input: a file's message goes to both.
      educationFileError: files.some((f) => f.field === 'education') ? errors.education : undefined,
      error: problem ? (problem.status === 400 ? FIX_AND_RETRY : problem.message) : undefined,
      general,
      reselectFiles: !!problem && (files.length > 0 || problem.status === 400),
      routeExam: route === 'exam',
      routeAssessment: route === 'assessment',
      provinces: PROVINCES.map((p) => ({ ...p, selected: p.code === values.provinceCode })),
      correction: correction && {
        ...correction,
        attachmentLabels: correction.attachmentKinds.map((k) => ATTACHMENT_KINDS[k as AttachmentKind] ?? k).join('、'),
      },
      action: correction ? `/apply/${encodeURIComponent(correction.applicationNo)}/resubmit` : '/apply',
      maxYear: beijingYear(),
    };
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The reference data as it stood when this migration was written. Migrations are history:
 * later edits to `PROVINCES` must come with a new migration, not change what this one did,
 * so the list is copied here rather than imported (a test compares both).
 */
const INSTITUTES: ReadonlyArray<readonly [code: string, name: string, instituteName: string]> = [
  ['11', '北京', '北京注册会计师协会'],
  ['12', '天津', '天津市注册会计师协会'],
  ['13', '河北', '河北省注册会计师协会'],
  ['14', '山西', '山西省注册会计师协会'],
  ['15', '内蒙古', '内蒙古自治区注册会计师协会'],
  ['21', '辽宁', '辽宁省注册会计师协会'],
  ['22', '吉林', '吉林省注册会计师协会'],
  ['23', '黑龙江', '黑龙江省注册会计师协会'],
  ['31', '上海', '上海市注册会计师协会'],
  ['32', '江苏', '江苏省注册会计师协会'],
  ['33', '浙江', '浙江省注册会计师协会'],
  ['34', '安徽', '安徽省注册会计师协会'],
  ['35', '福建', '福建省注册会计师协会'],
  ['36', '江西', '江西省注册会计师协会'],
  ['37', '山东', '山东省注册会计师协会'],
  ['41', '河南', '河南省注册会计师协会'],
  ['42', '湖北', '湖北省注册会计师协会'],
  ['43', '湖南', '湖南省注册会计师协会'],
  ['44', '广东', '广东省注册会计师协会'],
  ['45', '广西', '广西注册会计师协会'],
  ['46', '海南', '海南省注册会计师协会'],
  ['47', '深圳', '深圳市注册会计师协会'],
  ['50', '重庆', '重庆市注册会计师协会'],
  ['51', '四川', '四川省注册会计师协会'],
  ['52', '贵州', '贵州省注册会计师协会'],
  ['53', '云南', '云南省注册会计师协会'],
  ['54', '西藏', '西藏自治区注册会计师协会'],
  ['61', '陕西', '陕西省注册会计师协会'],
  ['62', '甘肃', '甘肃省注册会计师协会'],
  ['63', '青海', '青海省注册会计师协会'],
  ['64', '宁夏', '宁夏注册会计师协会'],
  ['65', '新疆', '新疆注册会计师协会'],
];

/**
 * The whole schema of the first release, written by hand so that what runs in production
 * is what was reviewed (CHECKs, partial unique indexes, the audit trigger). It must match
 * the entities exactly: the migration test asks TypeORM for a schema diff and expects none.
 * Names follow PostgreSQL's own conventions (`<table>_<column>_fkey`, `_key`, `_check`).
 */
export class InitialSchema1764180000000 implements MigrationInterface {
  name = 'InitialSchema1764180000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE institutes (
        code char(2) NOT NULL,
        name text NOT NULL,
        institute_name text NOT NULL,
        responsible_name text NULL,
        responsible_phone text NULL,
        responsible_email text NULL,
        CONSTRAINT institutes_pkey PRIMARY KEY (code)
      )`);

    await q.query(`
      CREATE TABLE certificate_number_counters (
        province_code char(2) NOT NULL,
        last_serial bigint NOT NULL DEFAULT 0,
        CONSTRAINT certificate_number_counters_pkey PRIMARY KEY (province_code),
        CONSTRAINT certificate_number_counters_province_code_fkey FOREIGN KEY (province_code) REFERENCES institutes (code),
        CONSTRAINT certificate_number_counters_last_serial_check CHECK (last_serial BETWEEN 0 AND 9999999999)
      )`);

    await q.query(`
      CREATE TABLE staff_accounts (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        username text NOT NULL,
        display_name text NOT NULL,
        password_hash text NOT NULL,
        role varchar(32) NOT NULL,
        province_code char(2) NULL,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_login_at timestamptz NULL,
        CONSTRAINT staff_accounts_pkey PRIMARY KEY (id),
        CONSTRAINT staff_accounts_username_key UNIQUE (username),
        CONSTRAINT staff_accounts_province_code_fkey FOREIGN KEY (province_code) REFERENCES institutes (code),
        CONSTRAINT staff_accounts_username_check CHECK (username = lower(username) AND username <> ''),
        CONSTRAINT staff_accounts_role_check
          CHECK (role IN ('provincialReviewer', 'provincialAdmin', 'nationalReviewer', 'nationalAdmin')),
        CONSTRAINT staff_accounts_province_check
          CHECK ((role IN ('provincialReviewer', 'provincialAdmin')) = (province_code IS NOT NULL))
      )`);

    await q.query(`
      CREATE TABLE members (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        certificate_no char(12) NOT NULL,
        name text NOT NULL,
        gender char(1) NOT NULL,
        id_number varchar(18) NOT NULL,
        date_of_birth date NOT NULL,
        mobile text NOT NULL,
        email text NOT NULL,
        address text NULL,
        province_code char(2) NOT NULL,
        status varchar(16) NOT NULL DEFAULT 'active',
        admission_route varchar(16) NOT NULL,
        exam_pass_year int NULL,
        exam_pass_cert_no text NULL,
        joined_on date NOT NULL,
        approval_doc_no text NOT NULL,
        paper_certificate varchar(8) NOT NULL DEFAULT 'none',
        password_hash text NOT NULL,
        must_change_password boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT members_pkey PRIMARY KEY (id),
        CONSTRAINT members_certificate_no_key UNIQUE (certificate_no),
        CONSTRAINT members_province_code_fkey FOREIGN KEY (province_code) REFERENCES institutes (code),
        CONSTRAINT members_certificate_no_check CHECK (certificate_no ~ '^[0-9]{12}$'),
        CONSTRAINT members_gender_check CHECK (gender IN ('M', 'F')),
        CONSTRAINT members_status_check CHECK (status IN ('active', 'suspended', 'cancelled')),
        CONSTRAINT members_admission_route_check CHECK (admission_route IN ('exam', 'assessment')),
        CONSTRAINT members_exam_pass_year_check CHECK (admission_route <> 'exam' OR exam_pass_year IS NOT NULL),
        CONSTRAINT members_paper_certificate_check CHECK (paper_certificate IN ('none', 'valid', 'void'))
      )`);
    await q.query(`CREATE INDEX members_province_joined_idx ON members (province_code, joined_on)`);
    await q.query(`CREATE INDEX members_id_number_idx ON members (id_number)`);

    // Application numbers: SQ + yyyymmdd + this sequence, 6 digits (see nextApplicationNo).
    await q.query(`CREATE SEQUENCE application_no_seq AS bigint START 1`);
    await q.query(`
      CREATE TABLE applications (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        application_no varchar(32) NOT NULL,
        name text NOT NULL,
        gender char(1) NOT NULL,
        id_number varchar(18) NOT NULL,
        date_of_birth date NOT NULL,
        mobile text NOT NULL,
        email text NOT NULL,
        address text NULL,
        province_code char(2) NOT NULL,
        admission_route varchar(16) NOT NULL,
        exam_pass_year int NULL,
        exam_pass_cert_no text NULL,
        education text NULL,
        employer text NULL,
        status varchar(16) NOT NULL DEFAULT 'firstReview',
        stage_detail text NULL,
        reason text NULL,
        workflow_id text NOT NULL,
        member_id uuid NULL,
        initial_password_ciphertext text NULL,
        submitted_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT applications_pkey PRIMARY KEY (id),
        CONSTRAINT applications_application_no_key UNIQUE (application_no),
        CONSTRAINT applications_workflow_id_key UNIQUE (workflow_id),
        CONSTRAINT applications_province_code_fkey FOREIGN KEY (province_code) REFERENCES institutes (code),
        CONSTRAINT applications_member_id_fkey FOREIGN KEY (member_id) REFERENCES members (id),
        CONSTRAINT applications_status_check
          CHECK (status IN ('firstReview', 'returned', 'secondReview', 'approved', 'rejected')),
        CONSTRAINT applications_gender_check CHECK (gender IN ('M', 'F')),
        CONSTRAINT applications_admission_route_check CHECK (admission_route IN ('exam', 'assessment'))
      )`);
    await q.query(`CREATE INDEX applications_id_number_idx ON applications (id_number)`);
    await q.query(`CREATE INDEX applications_province_status_idx ON applications (province_code, status)`);

    await q.query(`
      CREATE TABLE application_attachments (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        application_id uuid NOT NULL,
        kind varchar(32) NOT NULL,
        blob_key text NOT NULL,
        content_type text NOT NULL,
        size_bytes int NOT NULL,
        original_name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT application_attachments_pkey PRIMARY KEY (id),
        CONSTRAINT application_attachments_application_id_fkey
          FOREIGN KEY (application_id) REFERENCES applications (id) ON DELETE CASCADE,
        CONSTRAINT application_attachments_size_bytes_check CHECK (size_bytes >= 0)
      )`);
    await q.query(`CREATE INDEX application_attachments_application_idx ON application_attachments (application_id)`);

    await q.query(`
      CREATE TABLE tasks (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        type varchar(32) NOT NULL,
        province_code char(2) NULL,
        subject_type varchar(32) NOT NULL,
        subject_id text NOT NULL,
        subject_label text NOT NULL,
        workflow_id text NOT NULL,
        wait_key text NOT NULL,
        status varchar(16) NOT NULL DEFAULT 'open',
        assignee_id uuid NULL,
        claimed_at timestamptz NULL,
        due_at timestamptz NULL,
        reminded_at timestamptz NULL,
        reminder_count int NOT NULL DEFAULT 0,
        decision jsonb NULL,
        decided_by uuid NULL,
        decided_at timestamptz NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT tasks_pkey PRIMARY KEY (id),
        CONSTRAINT tasks_province_code_fkey FOREIGN KEY (province_code) REFERENCES institutes (code),
        CONSTRAINT tasks_assignee_id_fkey FOREIGN KEY (assignee_id) REFERENCES staff_accounts (id),
        CONSTRAINT tasks_decided_by_fkey FOREIGN KEY (decided_by) REFERENCES staff_accounts (id),
        CONSTRAINT tasks_status_check CHECK (status IN ('open', 'claimed', 'done', 'cancelled')),
        CONSTRAINT tasks_reminder_count_check CHECK (reminder_count >= 0)
      )`);
    // One live task per workflow wait: a retried "open task" activity cannot create a second one.
    await q.query(
      `CREATE UNIQUE INDEX tasks_open_wait_key ON tasks (workflow_id, wait_key) WHERE status IN ('open', 'claimed')`,
    );
    await q.query(`CREATE INDEX tasks_queue_idx ON tasks (status, type, province_code, created_at)`);
    await q.query(`CREATE INDEX tasks_assignee_idx ON tasks (assignee_id) WHERE status = 'claimed'`);
    await q.query(`CREATE INDEX tasks_subject_idx ON tasks (subject_type, subject_id)`);

    await q.query(`
      CREATE TABLE photos (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        member_id uuid NOT NULL,
        source varchar(16) NOT NULL,
        blob_key text NOT NULL,
        content_type text NOT NULL,
        width int NOT NULL,
        height int NOT NULL,
        status varchar(16) NOT NULL DEFAULT 'pending',
        verified_by uuid NULL,
        verified_at timestamptz NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT photos_pkey PRIMARY KEY (id),
        CONSTRAINT photos_member_id_fkey FOREIGN KEY (member_id) REFERENCES members (id),
        CONSTRAINT photos_verified_by_fkey FOREIGN KEY (verified_by) REFERENCES staff_accounts (id),
        CONSTRAINT photos_source_check CHECK (source IN ('examPhoto', 'comparison', 'onSite')),
        CONSTRAINT photos_status_check CHECK (status IN ('pending', 'accepted', 'rejected')),
        CONSTRAINT photos_size_check CHECK (width > 0 AND height > 0)
      )`);
    await q.query(`CREATE INDEX photos_member_idx ON photos (member_id, created_at)`);

    await q.query(`
      CREATE TABLE exam_photos (
        member_id uuid NOT NULL,
        blob_key text NOT NULL,
        exam_year int NOT NULL,
        CONSTRAINT exam_photos_pkey PRIMARY KEY (member_id),
        CONSTRAINT exam_photos_member_id_fkey FOREIGN KEY (member_id) REFERENCES members (id) ON DELETE CASCADE,
        CONSTRAINT exam_photos_exam_year_check CHECK (exam_year >= 2010)
      )`);

    await q.query(`
      CREATE TABLE certificates (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        certificate_no char(12) NOT NULL,
        version int NOT NULL,
        status varchar(16) NOT NULL DEFAULT 'pending',
        reason varchar(16) NOT NULL,
        snapshot jsonb NOT NULL,
        pdf_blob_key text NULL,
        pdf_sha256 char(64) NULL,
        workflow_id text NOT NULL,
        issued_at timestamptz NULL,
        superseded_at timestamptz NULL,
        revoked_at timestamptz NULL,
        revoke_reason text NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT certificates_pkey PRIMARY KEY (id),
        CONSTRAINT certificates_no_version_key UNIQUE (certificate_no, version),
        CONSTRAINT certificates_certificate_no_fkey FOREIGN KEY (certificate_no) REFERENCES members (certificate_no),
        CONSTRAINT certificates_version_check CHECK (version >= 1),
        CONSTRAINT certificates_status_check CHECK (status IN ('pending', 'active', 'superseded', 'revoked')),
        CONSTRAINT certificates_reason_check CHECK (reason IN ('firstIssue', 'reissue', 'dataChange', 'transfer'))
      )`);
    // At most one valid version per certificate number: activating a version must supersede the old one first.
    await q.query(
      `CREATE UNIQUE INDEX certificates_one_active_key ON certificates (certificate_no) WHERE status = 'active'`,
    );
    await q.query(`CREATE INDEX certificates_pdf_sha256_idx ON certificates (pdf_sha256)`);

    await q.query(`
      CREATE TABLE inspections (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        member_id uuid NOT NULL,
        year int NOT NULL,
        result varchar(16) NOT NULL,
        passed_on date NULL,
        remark text NULL,
        source varchar(16) NOT NULL,
        recorded_by uuid NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT inspections_pkey PRIMARY KEY (id),
        CONSTRAINT inspections_member_year_key UNIQUE (member_id, year),
        CONSTRAINT inspections_member_id_fkey FOREIGN KEY (member_id) REFERENCES members (id),
        CONSTRAINT inspections_recorded_by_fkey FOREIGN KEY (recorded_by) REFERENCES staff_accounts (id),
        CONSTRAINT inspections_year_check CHECK (year >= 2017),
        CONSTRAINT inspections_result_check CHECK (result IN ('passed', 'failed', 'exempt')),
        CONSTRAINT inspections_source_check CHECK (source IN ('upload', 'console', 'seed'))
      )`);

    await q.query(`
      CREATE TABLE transfers (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        member_id uuid NOT NULL,
        from_province char(2) NOT NULL,
        to_province char(2) NOT NULL,
        transferred_on date NOT NULL,
        approval_doc_no text NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT transfers_pkey PRIMARY KEY (id),
        CONSTRAINT transfers_member_id_fkey FOREIGN KEY (member_id) REFERENCES members (id),
        CONSTRAINT transfers_from_province_fkey FOREIGN KEY (from_province) REFERENCES institutes (code),
        CONSTRAINT transfers_to_province_fkey FOREIGN KEY (to_province) REFERENCES institutes (code),
        CONSTRAINT transfers_provinces_check CHECK (from_province <> to_province)
      )`);
    await q.query(`CREATE INDEX transfers_member_idx ON transfers (member_id, transferred_on)`);

    await q.query(`
      CREATE TABLE notifications (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        channel varchar(8) NOT NULL,
        recipient text NOT NULL,
        member_id uuid NULL,
        template text NOT NULL,
        subject text NULL,
        body text NOT NULL,
        dedupe_key text NOT NULL,
        status varchar(16) NOT NULL DEFAULT 'pending',
        attempts int NOT NULL DEFAULT 0,
        last_error text NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz NULL,
        CONSTRAINT notifications_pkey PRIMARY KEY (id),
        CONSTRAINT notifications_dedupe_key_key UNIQUE (dedupe_key),
        CONSTRAINT notifications_member_id_fkey FOREIGN KEY (member_id) REFERENCES members (id),
        CONSTRAINT notifications_channel_check CHECK (channel IN ('mail', 'sms')),
        CONSTRAINT notifications_status_check CHECK (status IN ('pending', 'sent', 'failed')),
        CONSTRAINT notifications_attempts_check CHECK (attempts >= 0)
      )`);
    await q.query(`CREATE INDEX notifications_pending_idx ON notifications (created_at) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX notifications_member_idx ON notifications (member_id)`);

    await q.query(`
      CREATE TABLE audit_events (
        id bigserial NOT NULL,
        occurred_at timestamptz NOT NULL,
        actor_type varchar(16) NOT NULL,
        actor_id text NULL,
        actor_label text NOT NULL,
        action text NOT NULL,
        subject_type text NOT NULL,
        subject_id text NOT NULL,
        province_code char(2) NULL,
        detail jsonb NOT NULL DEFAULT '{}',
        prev_hash char(64) NOT NULL,
        hash char(64) NOT NULL,
        CONSTRAINT audit_events_pkey PRIMARY KEY (id),
        CONSTRAINT audit_events_actor_type_check
          CHECK (actor_type IN ('staff', 'member', 'applicant', 'system', 'public')),
        CONSTRAINT audit_events_hash_check CHECK (hash ~ '^[0-9a-f]{64}$' AND prev_hash ~ '^[0-9a-f]{64}$')
      )`);
    await q.query(`CREATE INDEX audit_events_subject_idx ON audit_events (subject_type, subject_id, id)`);
    await q.query(`CREATE INDEX audit_events_actor_idx ON audit_events (actor_type, actor_id, id)`);
    await q.query(`CREATE INDEX audit_events_province_idx ON audit_events (province_code, occurred_at)`);
    // Append-only: the hash chain shows tampering, the trigger prevents the ordinary kind.
    // Only a superuser disabling the trigger (itself visible in the server log) gets past it.
    await q.query(`
      CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_events is append-only: % is not allowed', TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END
      $$`);
    await q.query(`
      CREATE TRIGGER audit_events_no_update_delete BEFORE UPDATE OR DELETE ON audit_events
      FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()`);
    await q.query(`
      CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
      FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()`);

    // Reference data: the 32 institutes and a counter for each, starting at serial 0.
    await q.query(
      `INSERT INTO institutes (code, name, institute_name)
       SELECT * FROM unnest($1::char(2)[], $2::text[], $3::text[])`,
      [INSTITUTES.map((i) => i[0]), INSTITUTES.map((i) => i[1]), INSTITUTES.map((i) => i[2])],
    );
    await q.query(`INSERT INTO certificate_number_counters (province_code) SELECT code FROM institutes`);
  }

  async down(q: QueryRunner): Promise<void> {
    // Dropping the table drops its triggers; DROP TABLE is not blocked by them (only TRUNCATE is).
    await q.query(`DROP TABLE audit_events`);
    await q.query(`DROP FUNCTION audit_events_append_only()`);
    await q.query(`DROP TABLE notifications`);
    await q.query(`DROP TABLE transfers`);
    await q.query(`DROP TABLE inspections`);
    await q.query(`DROP TABLE certificates`);
    await q.query(`DROP TABLE exam_photos`);
    await q.query(`DROP TABLE photos`);
    await q.query(`DROP TABLE tasks`);
    await q.query(`DROP TABLE application_attachments`);
    await q.query(`DROP TABLE applications`);
    await q.query(`DROP SEQUENCE application_no_seq`);
    await q.query(`DROP TABLE members`);
    await q.query(`DROP TABLE staff_accounts`);
    await q.query(`DROP TABLE certificate_number_counters`);
    await q.query(`DROP TABLE institutes`);
  }
}

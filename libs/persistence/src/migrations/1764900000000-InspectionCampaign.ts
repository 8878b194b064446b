import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The yearly inspection-and-reissue campaign (R11, R12, R19): one progress row per (year, province) for the
 * dashboards, and one row per (year, member) that records that the campaign has processed the member, exactly once.
 */
export class InspectionCampaign1764900000000 implements MigrationInterface {
  name = 'InspectionCampaign1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE campaign_provinces (
        campaign_year int NOT NULL,
        province_code char(2) NOT NULL,
        status varchar(16) NOT NULL DEFAULT 'waiting',
        starts_at timestamptz NULL,
        total int NOT NULL DEFAULT 0,
        processed int NOT NULL DEFAULT 0,
        inspected int NOT NULL DEFAULT 0,
        reissued int NOT NULL DEFAULT 0,
        invited int NOT NULL DEFAULT 0,
        claimed int NOT NULL DEFAULT 0,
        failed int NOT NULL DEFAULT 0,
        pending int NOT NULL DEFAULT 0,
        voided int NOT NULL DEFAULT 0,
        workflow_id text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT campaign_provinces_pkey PRIMARY KEY (campaign_year, province_code),
        CONSTRAINT campaign_provinces_province_code_fkey FOREIGN KEY (province_code) REFERENCES institutes (code),
        CONSTRAINT campaign_provinces_status_check
          CHECK (status IN ('waiting', 'running', 'paused', 'reminding', 'completed', 'cancelled'))
      )`);
    await q.query(`
      CREATE TABLE campaign_members (
        campaign_year int NOT NULL,
        member_id uuid NOT NULL,
        province_code char(2) NOT NULL,
        inspection varchar(16) NOT NULL,
        reissue_version int NULL,
        invited boolean NOT NULL DEFAULT false,
        claimed_at timestamptz NULL,
        reminders int NOT NULL DEFAULT 0,
        paper_voided_at timestamptz NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT campaign_members_pkey PRIMARY KEY (campaign_year, member_id),
        CONSTRAINT campaign_members_member_id_fkey FOREIGN KEY (member_id) REFERENCES members (id),
        CONSTRAINT campaign_members_province_code_fkey FOREIGN KEY (province_code) REFERENCES institutes (code),
        CONSTRAINT campaign_members_inspection_check CHECK (inspection IN ('passed', 'failed', 'exempt', 'missing'))
      )`);
    await q.query(
      `CREATE INDEX campaign_members_year_province_idx ON campaign_members (campaign_year, province_code, inspection)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE campaign_members`);
    await q.query(`DROP TABLE campaign_provinces`);
  }
}

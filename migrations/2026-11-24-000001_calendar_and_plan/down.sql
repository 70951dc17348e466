DROP TABLE kpi_levels;
DROP TABLE cabinet_targets;
DROP TABLE monthly_plans;
DROP TABLE allocation_adjustments;
DROP SEQUENCE allocation_transfers_seq;
DROP TABLE projects;
DROP TABLE bureaus;
DROP TABLE fiscal_years;

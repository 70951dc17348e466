DROP TABLE month_lock_events;
DROP TABLE month_locks;
DROP TABLE report_lines;
ALTER TABLE reports DROP CONSTRAINT reports_submitted_revision_fkey;
DROP TABLE report_revisions;
DROP TABLE reports;

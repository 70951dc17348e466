ALTER TABLE month_lock_events DROP CONSTRAINT month_lock_events_user_fkey;
ALTER TABLE allocation_adjustments DROP CONSTRAINT allocation_adjustments_created_by_fkey;
ALTER TABLE report_revisions DROP CONSTRAINT report_revisions_created_by_fkey;
DROP TABLE audit_events;
DROP FUNCTION refuse_change();
DROP TABLE api_tokens;
DROP TABLE user_bureaus;
DROP TABLE user_roles;
DROP TABLE users;

DROP TABLE feedback;
DROP TABLE ledger_entries;
DROP TABLE ledger_imports;
DROP TABLE delivery_attempts;
DROP TABLE outbox;
DROP TABLE follow_ups;
DROP TABLE alert_events;
DROP TABLE alerts;

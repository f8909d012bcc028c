-- 005: outbound mail over SMTP (issue 4 §7): the HTML part beside the text, and the permanent
-- failure of a mail that could not be delivered (a 5xx reply, or every retry spent). A failed
-- row is never tried again; the request's history records a `mail_failed` event.
ALTER TABLE outbox ADD COLUMN body_html TEXT;      -- NULL when text only, and once delivered when it carried a secret
ALTER TABLE outbox ADD COLUMN language TEXT;       -- the language the mail was written in
ALTER TABLE outbox ADD COLUMN failed_at INTEGER;   -- set when delivery failed permanently
ALTER TABLE outbox ADD COLUMN references_ids TEXT; -- the References header: Message-IDs, oldest first, space-separated

DROP INDEX outbox_pending;
CREATE INDEX outbox_pending ON outbox(next_attempt_at, id) WHERE delivered_at IS NULL AND failed_at IS NULL;

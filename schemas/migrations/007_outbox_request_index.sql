-- 007: the outbox rows of one request (Tx::OutboxFor: our earlier mail about it, for threading a
-- new one) without a scan of the whole outbox. The index's entries are ordered by (request_id,
-- rowid), so `ORDER BY id` needs no sort either.
CREATE INDEX outbox_request ON outbox(request_id);

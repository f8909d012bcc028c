-- 009: a message without a Message-ID is a redelivery only when its bytes are the same: look it up
-- by the SHA-256 of the raw message.
CREATE INDEX inbound_sha256 ON inbound_messages(sha256);

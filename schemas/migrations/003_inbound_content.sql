-- 003: a fingerprint of what a message says (sender, subject, Date and decoded text), so that a
-- redelivery (the same message with other trace headers or MIME boundaries) is recognised, and a
-- different message that reuses a Message-ID is not mistaken for one.
ALTER TABLE inbound_messages ADD COLUMN content_sha256 TEXT;

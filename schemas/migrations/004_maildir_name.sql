-- 004: the Maildir unique name a message was read from (the `dsar serve` Maildir watcher), so that
-- a file found again in new/ after a crash between the commit and the move to cur/ is recognised
-- as ingested — even a message without a Message-ID. NULL for the other intake channels.
ALTER TABLE inbound_messages ADD COLUMN maildir_name TEXT;
CREATE UNIQUE INDEX inbound_maildir_name ON inbound_messages(maildir_name) WHERE maildir_name IS NOT NULL;

-- 002: legal deadlines (issue 3): acknowledgment due, extensions, the stopped clock, and timer
-- kinds for reminders. Instants are INTEGER milliseconds since the Unix epoch, UTC.

ALTER TABLE requests ADD COLUMN ack_due_at INTEGER;                         -- e.g. CCPA: confirm receipt in 10 business days
ALTER TABLE requests ADD COLUMN extensions INTEGER NOT NULL DEFAULT 0;      -- extensions taken
ALTER TABLE requests ADD COLUMN paused_at INTEGER;                          -- when the clock stopped; NULL while it runs
ALTER TABLE requests ADD COLUMN paused_days INTEGER NOT NULL DEFAULT 0;     -- calendar days the clock stood still, in total

-- state: a state's timeout (cancelled on leaving the state); staff_reminder, overdue,
-- requester_reminder: reminders tied to the deadline (rescheduled when it moves, cancelled when
-- the request ends).
ALTER TABLE timers ADD COLUMN kind TEXT NOT NULL DEFAULT 'state';

-- The scheduler's next-due lookup reads only pending timers, in firing order.
DROP INDEX timers_due;
CREATE INDEX timers_pending ON timers(fire_at, id) WHERE fired_at IS NULL AND cancelled_at IS NULL;
CREATE INDEX timers_request ON timers(request_id) WHERE fired_at IS NULL AND cancelled_at IS NULL;

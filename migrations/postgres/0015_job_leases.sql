-- Job leases (issue 15: several replicas on one database). A claimed job records which replica holds it
-- (`claimed_by`: host name, process ID and a random part, made at start) and until when (`lease_until`, unix
-- seconds). The holder renews the lease while the job runs; a running job whose lease has expired may be claimed
-- again by any replica (its holder died), and a holder that lost its lease does not record an outcome.
ALTER TABLE jobs ADD COLUMN claimed_by TEXT;
ALTER TABLE jobs ADD COLUMN lease_until BIGINT;
CREATE INDEX jobs_lease ON jobs (state, lease_until);

//! One run per job at a time, across the app and the `seatkeeper` command on one database: a run
//! holds its job's [`DbLock`] from before its result is created until after it is finished. A lock
//! dies with its process, so whoever can take a job's lock knows that no run of it is alive.

use crate::db::{Db, DbLock};
use crate::error::Result;

/// Held while a run of the job is alive.
#[derive(Debug)]
pub struct JobLock {
    _lock: DbLock,
}

/// Takes the lock of job `job_id` if no run holds it: None while a run — in this process or
/// another one — is alive.
pub fn try_lock(db: &Db, job_id: i64) -> Result<Option<JobLock>> {
    Ok(db.try_lock(&format!("job-{job_id}"))?.map(|lock| JobLock { _lock: lock }))
}

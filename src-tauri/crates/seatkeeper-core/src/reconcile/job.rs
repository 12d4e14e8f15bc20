//! The weekly job "Reconcile `<Display Name>` Subscriptions": one reconciliation, kept as a
//! snapshot. It reads only the local database; the run's client is not used.

use futures::future::BoxFuture;

use super::figures::{reconcile, Trigger};
use crate::error::Result;
use crate::jobs::results::Recorder;
use crate::jobs::RunContext;

pub(crate) fn run<'a>(context: RunContext<'a>, recorder: &'a mut Recorder) -> BoxFuture<'a, Result<()>> {
    Box::pin(async move {
        let figures = reconcile(context.db, context.clock, context.profile_id, Trigger::Schedule).await?;
        let short: Vec<String> = figures
            .models
            .iter()
            .filter(|m| m.compliance == super::Compliance::NotCompliant)
            .map(|m| format!("{} is Not Compliant: {} used, {} owned.", m.model, m.used, m.owned))
            .collect();
        for line in short {
            recorder.warn(line);
        }
        Ok(())
    })
}

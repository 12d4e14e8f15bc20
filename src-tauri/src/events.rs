//! The job engine's events, turned into Tauri events for the UI (`job-progress`, `job-finished`)
//! and a desktop notification when a run fails. The notification is shown from Rust: the webview
//! is granted no notification permission.

use seatkeeper_core::jobs::{
    EngineEvents, JobFinishedEvent, JobProgressEvent, JobResult, JobStatus, JOB_FINISHED_EVENT,
    JOB_PROGRESS_EVENT,
};
use seatkeeper_core::sync::SyncProgress;
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_notification::{Notification, NotificationExt};

pub struct TauriEvents<R: Runtime> {
    app: AppHandle<R>,
}

impl<R: Runtime> TauriEvents<R> {
    pub fn new(app: AppHandle<R>) -> Self {
        Self { app }
    }

    fn notify_failure(&self, job_id: i64, result: &JobResult) {
        // Only when the plugin is registered (it is in the app; tests may leave it out).
        if self.app.try_state::<Notification<R>>().is_none() {
            return;
        }
        let body = result.error_message.clone().unwrap_or_else(|| "The run failed.".to_owned());
        let title = format!("Seatkeeper: a scheduled job failed (Scheduled Job Result {})", result.number);
        if let Err(e) = self.app.notification().builder().title(title).body(body).show() {
            tracing::warn!(job = job_id, "the failure notification could not be shown: {e}");
        }
    }
}

impl<R: Runtime> EngineEvents for TauriEvents<R> {
    fn progress(&self, job_id: i64, profile_id: i64, progress: SyncProgress) {
        let payload = JobProgressEvent { job_id, profile_id, progress };
        if let Err(e) = self.app.emit(JOB_PROGRESS_EVENT, payload) {
            tracing::warn!(job = job_id, "job progress could not be sent to the window: {e}");
        }
    }

    fn finished(&self, job_id: i64, profile_id: i64, result: &JobResult) {
        if result.status == JobStatus::Failed {
            self.notify_failure(job_id, result);
        }
        let payload = JobFinishedEvent { job_id, profile_id, result: result.clone() };
        if let Err(e) = self.app.emit(JOB_FINISHED_EVENT, payload) {
            tracing::warn!(job = job_id, "the job result could not be sent to the window: {e}");
        }
    }
}

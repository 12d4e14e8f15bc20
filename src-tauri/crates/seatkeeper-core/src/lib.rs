pub mod smartsheet;

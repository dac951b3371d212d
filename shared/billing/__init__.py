"""Usage billing: active learners, enrollments, storage, video minutes, API requests and request units per month."""
